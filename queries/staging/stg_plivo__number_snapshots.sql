-- stg_plivo__number_snapshots
-- purpose: Plivo number snapshots of successful runs, the number in E.164, statuses kept as they came
--   and flagged when outside the documented values.
-- grain: Plivo number x successful run (rows without a number are left out)
-- key: run_id, phone_number (a run is one account's)
-- materialized: view

with

runs as (
    select * from stg_plivo__runs
),

snapshots as (
    select * from plivo_number_snapshots
),

renamed as (
    select
        snapshots.run_id,
        runs.account,
        runs.run_seq,
        runs.collected_at,
        runs.collected_at_utc,
        case
            when regexp_full_match(trim(snapshots.number), '[0-9]+') then '+' || trim(snapshots.number)
            else trim(snapshots.number)
        end as phone_number,
        snapshots.profile_uuid,
        snapshots.caller_reputation,
        snapshots.merged_status,
        snapshots.att_status,
        snapshots.att_updated_at,
        snapshots.tmobile_status,
        snapshots.tmobile_updated_at,
    from snapshots
    inner join runs on runs.run_id = snapshots.run_id
    where snapshots.number is not null
),

final as (
    select
        *,
        coalesce(caller_reputation = 'enabled', false) as is_enabled,
        coalesce(merged_status not in ('PENDING', 'ACTIVE', 'FAILED', 'NOT_ENROLLED'), false)
            as merged_status_unknown,
        coalesce(att_status not in ('PENDING', 'ACTIVE', 'FAILED', 'NOT_ENROLLED'), false)
            as att_status_unknown,
        coalesce(tmobile_status not in ('PENDING', 'ACTIVE', 'FAILED', 'NOT_ENROLLED'), false)
            as tmobile_status_unknown,
    from renamed
)

select * from final
