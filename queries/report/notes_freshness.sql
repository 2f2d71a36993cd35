-- notes_freshness
-- purpose: per source, the last successful run before the report week's end and the runs that
--   failed during the week (with the latest error).
-- grain: source
-- key: source
-- parameters: $week_start, $as_of
with runs as (
    select * from collection_runs where collected_at < $as_of
),

final as (
    select
        source,
        max(collected_at) filter (where status = 'succeeded') as last_success_at,
        count(*) filter (where status = 'succeeded' and collected_at >= $week_start) as succeeded_in_week,
        count(*) filter (where status = 'failed' and collected_at >= $week_start) as failed_in_week,
        arg_max(error, collected_at) filter (where status = 'failed' and collected_at >= $week_start)
            as last_error,
    from runs
    group by source
    order by source
)

select * from final
