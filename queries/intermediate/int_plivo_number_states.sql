-- int_plivo_number_states
-- purpose: each Plivo number at each successful collection with its business key and whether a
--   carrier is ACTIVE and since when (the carrier's updated_at, else the collection time, never later
--   than the collection).
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
    left join profiles on profiles.profile_uuid = numbers.profile_uuid
),

activation as (
    select
        *,
        coalesce(att_status = 'ACTIVE' or tmobile_status = 'ACTIVE', false) as has_active_carrier,
        least(
            case when att_status = 'ACTIVE' then coalesce(att_updated_at, collected_at) end,
            case when tmobile_status = 'ACTIVE' then coalesce(tmobile_updated_at, collected_at) end,
            collected_at
        ) as earliest_active_at,
    from keyed
),

final as (
    select
        run_id,
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
        has_active_carrier,
        case when has_active_carrier then earliest_active_at end as active_at,
    from activation
)

select * from final
