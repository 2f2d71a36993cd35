-- plivo_ein_registrations
-- purpose: Caller Reputation registrations per business (EIN), the billing unit of Plivo: a business is
--   registered from the first time one of its enabled numbers has a carrier ACTIVE until the first
--   collection at which it has no enabled number left; enabling again after that is a new registration.
--   Plivo bills per EIN per account: each account (or subaccount) registers its businesses apart.
-- grain: registration (one business of one account, one unbroken stretch of its collections with
--   an enabled number)
-- since_column: approved_at
-- key: account, ein, registration_seq
-- materialized: view
-- columns:
--   account: the Plivo account (or subaccount), as named in callrep.toml (default: the single account)
--   ein: the business key: the profile's EIN without dashes and spaces when that leaves 9 digits, else the EIN exactly as it came, else (no EIN) the profile_uuid
--   registration_seq: 1, 2, ... per account and ein in order of approval
--   ein_status: valid, odd (EIN kept as it came, flagged), missing (no EIN: keyed by profile_uuid) or no_profile (profile never collected: keyed by profile_uuid)
--   profile_uuid: the profile of the number whose carrier turned ACTIVE first
--   approved_at: when the first carrier turned ACTIVE: its updated_at, else the collection that first saw it; never earlier than the previous successful collection (which saw no ACTIVE carrier) and never later than the collection that saw it
--   ended_at: the first successful collection at which the business had no enabled number left (released or disabled); null while live
--   is_live: ended_at is null (the registration is live at the latest snapshot)

with registrations as (
    select * from int_plivo_ein_registrations
),

final as (
    select
        account,
        ein,
        registration_seq,
        ein_status,
        profile_uuid,
        approved_at,
        ended_at,
        is_live,
    from registrations
)

select * from final
