-- notes_freshness
-- purpose: per source, the last successful run before the report week's end and the runs of the
--   week (its UTC Monday to Sunday) that succeeded and failed (with the latest error).
-- grain: source
-- key: source
-- parameters: $week_start (the report week's Monday), $as_of (the Monday after, 00:00 UTC)
with runs as (
    select * from stg_callrep__runs where collected_at < $as_of::timestamptz
),

week_runs as (
    select * from runs where week_start = $week_start::date
),

succeeded as (
    select source, max(collected_at) as last_success_at,
    from runs
    where status = 'succeeded'
    group by source
),

in_week as (
    select
        source,
        count(*) filter (where status = 'succeeded') as succeeded_in_week,
        count(*) filter (where status = 'failed') as failed_in_week,
        arg_max(error, collected_at) filter (where status = 'failed') as last_error,
    from week_runs
    group by source
),

final as (
    select
        sources.source,
        succeeded.last_success_at,
        coalesce(in_week.succeeded_in_week, 0) as succeeded_in_week,
        coalesce(in_week.failed_in_week, 0) as failed_in_week,
        in_week.last_error,
    from (select distinct source from runs) as sources
    left join succeeded on succeeded.source = sources.source
    left join in_week on in_week.source = sources.source
    order by sources.source
)

select * from final
