-- int_plivo_number_states
-- purpose: each Plivo number at each successful collection with its business key (when each
--   carrier decided is worked out in int_plivo_carrier_status_runs).
-- grain: Plivo number x successful run
-- key: run_id, phone_number
-- materialized: view

with

numbers as (
    select * from stg_plivo__number_snapshots
),

profiles as (
    select * from stg_plivo__profiles
),

keyed as (
    select
        numbers.*,
        case
            when numbers.profile_uuid is null then null
            else coalesce(profiles.ein, numbers.profile_uuid)
        end as ein,
        case
            when numbers.profile_uuid is null then null
            else coalesce(profiles.ein_status, 'no_profile')
        end as ein_status,
    from numbers
    left join profiles
        on profiles.account = numbers.account and profiles.profile_uuid = numbers.profile_uuid
),

final as (
    select
        run_id,
        account,
        run_seq,
        collected_at,
        collected_at_utc,
        phone_number,
        profile_uuid,
        ein,
        ein_status,
        caller_reputation,
        is_enabled,
        merged_status,
        att_status,
        att_updated_at,
        tmobile_status,
        tmobile_updated_at,
    from keyed
)

select * from final
