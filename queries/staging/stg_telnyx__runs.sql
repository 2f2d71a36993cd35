-- stg_telnyx__runs
-- purpose: the successful Telnyx collection runs, each with its UTC observation day and
--   whether it is that day's latest run of its account (the run whose rows the daily marts use).
-- grain: one successful Telnyx run
-- key: run_id
-- materialized: view

with runs as (
    select * from collection_runs
),

succeeded as (
    select
        run_id,
        account,
        collected_at,
        cast(timezone('UTC', collected_at) as date) as observed_on,
    from runs
    where source = 'telnyx' and status = 'succeeded'
),

final as (
    select
        *,
        row_number() over (
            partition by account, observed_on order by collected_at desc, run_id desc
        ) = 1 as is_latest_of_day,
    from succeeded
)

select * from final
