-- plivo_carrier_status
-- purpose: every Plivo number in the latest successful snapshot with each carrier's real status,
--   the failures the merged status hides, and registrations pending for longer than Plivo's
--   "up to 2 business days": the latest run's rows of int_plivo_carrier_status_runs (where the
--   rules live, evaluated at every run so a past week can be shown as it was).
-- grain: Plivo number in the latest successful Plivo snapshot (released numbers are not in it)
-- key: phone_number
-- materialized: table
-- columns:
--   phone_number: the phone number in E.164 (with the +)
--   profile_uuid: the business profile the number is registered under
--   ein: the business key (see plivo_ein_registrations): EIN without dashes or spaces when 9 digits, else as it came, else the profile_uuid
--   ein_status: valid, odd (EIN kept as it came), missing (keyed by profile_uuid) or no_profile (profile never collected; keyed by profile_uuid)
--   caller_reputation: enabled or disabled, as Plivo reports it
--   merged_status: Plivo's merged caller_reputation_status (ACTIVE outranks PENDING outranks FAILED)
--   att_status: AT&T's status (PENDING, ACTIVE, FAILED, NOT_ENROLLED; other values kept as they came)
--   att_updated_at: AT&T's last status change as Plivo reports it (UTC)
--   tmobile_status: T-Mobile's status
--   tmobile_updated_at: T-Mobile's last status change as Plivo reports it (UTC)
--   hidden_failure: a carrier is FAILED while the merged status reads ACTIVE or PENDING
--   att_pending_since: while AT&T is PENDING, its updated_at, else the first collection of the current unbroken PENDING streak (a collection without the number breaks the streak); null otherwise
--   tmobile_pending_since: the same for T-Mobile
--   pending_deadline: the earliest carrier pending start plus 2 US business days (48 hours of business-day time: weekends and federal holidays skipped, counted in UTC; a start on a day off counts from the next business day's midnight, so it ends at the end of the 2nd business day)
--   stuck_pending: pending_deadline is earlier than the latest collection time
--   collected_at: the time of the latest successful Plivo collection (the "now" of this mart)


with

status_runs as (
    select * from int_plivo_carrier_status_runs
),

latest_run as (
    select * from stg_callrep__latest_runs where source = 'plivo'
),

final as (
    select
        status_runs.number as phone_number,
        status_runs.profile_uuid,
        status_runs.ein,
        status_runs.ein_status,
        status_runs.caller_reputation,
        status_runs.merged_status,
        status_runs.att_status,
        status_runs.att_updated_at,
        status_runs.tmobile_status,
        status_runs.tmobile_updated_at,
        status_runs.hidden_failure,
        status_runs.att_pending_since,
        status_runs.tmobile_pending_since,
        status_runs.pending_deadline,
        status_runs.stuck_pending,
        status_runs.collected_at,
    from status_runs
    inner join latest_run on latest_run.run_id = status_runs.run_id
)

select * from final
