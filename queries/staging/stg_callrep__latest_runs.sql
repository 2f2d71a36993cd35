-- stg_callrep__latest_runs
-- purpose: the latest successful collection run of each source (the run whose rows the
--   "latest state" marts describe).
-- grain: source
-- key: source
-- materialized: view

with runs as (
    select * from stg_callrep__runs
),

final as (
    select
        source,
        max(run_id) as run_id,
        max(collected_at) as collected_at,
    from runs
    where status = 'succeeded'
    group by source
)

select * from final
