-- stg_callrep__runs
-- purpose: every collection run of every account of every source (succeeded, failed or still
--   running), with the
--   UTC day and ISO week it was collected in: the ledger readers such as the weekly report use.
-- grain: one collection run of one source
-- key: run_id
-- materialized: view

with runs as (
    select * from collection_runs
),

final as (
    select
        run_id,
        source,
        account,
        status,
        started_at,
        collected_at,
        finished_at,
        error,
        cast(timezone('UTC', collected_at) as date) as observed_on,
        cast(date_trunc('week', timezone('UTC', collected_at)) as date) as week_start,
        strftime(timezone('UTC', collected_at), '%G-W%V') as iso_week,
    from runs
)

select * from final
