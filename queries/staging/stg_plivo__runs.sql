-- stg_plivo__runs
-- purpose: the successful Plivo collections in time order, numbered per account (each Plivo
--   account or subaccount is collected on its own); failed or running collections never count.
-- grain: one successful Plivo collection run (of one account)
-- key: run_id
-- materialized: view

with

runs as (
    select * from collection_runs
),

succeeded as (
    select
        run_id,
        account,
        collected_at,
        timezone('UTC', collected_at) as collected_at_utc,
    from runs
    where source = 'plivo'
        and status = 'succeeded'
),

final as (
    select
        run_id,
        account,
        row_number() over (partition by account order by collected_at, run_id) as run_seq,
        collected_at,
        collected_at_utc,
    from succeeded
)

select * from final
