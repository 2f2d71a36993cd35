-- int_plivo_ein_registrations
-- purpose: Caller Reputation registrations per business (EIN), the billing unit of Plivo: a business is
--   registered from the first time one of its enabled numbers has a carrier ACTIVE until the first
--   collection at which it has no enabled number left; enabling again after that is a new registration.
--   Approval is the first carrier's ACTIVE decision time (int_plivo_carrier_status_runs: updated_at,
--   else the earliest callback, else the first collection that saw it, per business and collection
--   in int_plivo_ein_runs), so the pending time runs to the decision. The mart
--   plivo_ein_registrations publishes these rows; the cost models read them.
--   Plivo bills per EIN per account: each account's (or subaccount's) businesses are registered and
--   billed on their own, over that account's collections.
-- grain: registration (one business of one account, one unbroken stretch of its collections with
--   an enabled number)
-- key: account, ein, registration_seq
-- materialized: table

with

runs as (
    select * from stg_plivo__runs
),

ein_runs as (
    -- one row per business and collection with an enabled number (int_plivo_ein_runs)
    select * from int_plivo_ein_runs
),

islands as (
    select
        *,
        run_seq - row_number() over (partition by account, ein order by run_seq) as island,
    from ein_runs
),

island_bounds as (
    select
        account,
        ein,
        island,
        max(run_seq) as last_seq,
        min(run_seq) filter (where first_active_at is not null) as active_seq,
    from islands
    group by account, ein, island
),

registrations as (
    select
        island_bounds.account,
        island_bounds.ein,
        island_bounds.active_seq,
        island_bounds.last_seq,
        ein_runs.ein_status,
        ein_runs.first_active_profile_uuid as profile_uuid,
        greatest(ein_runs.first_active_at, before_run.collected_at) as approved_at,
        end_run.collected_at as ended_at,
    from island_bounds
    inner join ein_runs
        on ein_runs.account = island_bounds.account
        and ein_runs.ein = island_bounds.ein
        and ein_runs.run_seq = island_bounds.active_seq
    left join runs as before_run
        on before_run.account = island_bounds.account
        and before_run.run_seq = island_bounds.active_seq - 1
    left join runs as end_run
        on end_run.account = island_bounds.account
        and end_run.run_seq = island_bounds.last_seq + 1
    where island_bounds.active_seq is not null
),

final as (
    select
        account,
        ein,
        row_number() over (partition by account, ein order by active_seq) as registration_seq,
        ein_status,
        profile_uuid,
        approved_at,
        ended_at,
        ended_at is null as is_live,
    from registrations
)

select * from final
