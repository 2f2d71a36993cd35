-- report_runs
-- purpose: each account's last successful collection run of each source before each cut-off the
--   report compares: the report week's end (`current`) and the week before's (`previous`).
-- grain: period x source x account
-- key: period, source, account
-- parameters: $as_of, $prev_as_of (exclusive UTC cut-offs: midnight after each week's Sunday)
create or replace temp table report_runs as
with cutoffs as (
    select 'current' as period, $as_of::timestamptz as cutoff
    union all
    select 'previous' as period, $prev_as_of::timestamptz as cutoff
),

succeeded as (
    select source, account, run_id, collected_at
    from stg_callrep__runs
    where status = 'succeeded'
),

final as (
    select
        cutoffs.period,
        succeeded.source,
        succeeded.account,
        arg_max(succeeded.run_id, succeeded.collected_at) as run_id,
        max(succeeded.collected_at) as collected_at,
    from cutoffs
    join succeeded on succeeded.collected_at < cutoffs.cutoff
    group by cutoffs.period, succeeded.source, succeeded.account
)

select * from final
