-- stg_plivo__profiles
-- purpose: each business profile as last collected, with its business key `ein`: the EIN with dashes
--   and spaces removed when that leaves exactly 9 digits; any other value kept exactly as it came
--   (ein_status 'odd'); no EIN (null or blank) keys the business by its profile_uuid (ein_status 'missing').
-- grain: business profile of one account (its latest snapshot from a successful run)
-- key: account, profile_uuid
-- materialized: view

with

runs as (
    select * from stg_plivo__runs
),

snapshots as (
    select * from plivo_profile_snapshots
),

latest as (
    select
        runs.account,
        snapshots.profile_uuid,
        snapshots.ein as ein_raw,
        snapshots.company_name,
        snapshots.run_id,
        snapshots.collected_at,
    from snapshots
    inner join runs on runs.run_id = snapshots.run_id
    where snapshots.profile_uuid is not null
    qualify row_number() over (
        partition by runs.account, snapshots.profile_uuid order by runs.run_seq desc
    ) = 1
),

cleaned as (
    select
        *,
        regexp_replace(ein_raw, '[- ]', '', 'g') as ein_digits,
    from latest
),

final as (
    select
        account,
        profile_uuid,
        case
            when regexp_full_match(ein_digits, '[0-9]{9}') then ein_digits
            when nullif(trim(ein_raw), '') is null then profile_uuid
            else ein_raw
        end as ein,
        case
            when regexp_full_match(ein_digits, '[0-9]{9}') then 'valid'
            when nullif(trim(ein_raw), '') is null then 'missing'
            else 'odd'
        end as ein_status,
        ein_raw,
        company_name,
        run_id,
        collected_at,
    from cleaned
)

select * from final
