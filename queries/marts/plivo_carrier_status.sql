-- plivo_carrier_status
-- purpose: every Plivo number in the latest successful snapshot with each carrier's real status,
--   the failures the merged status hides, and registrations pending for longer than Plivo's
--   "up to 2 business days": the latest run's rows of int_plivo_carrier_status_runs (where the
--   rules live, evaluated at every run so a past week can be shown as it was), plus the decisions
--   status callbacks reported since that collection: a carrier the snapshot shows PENDING and a
--   callback received after it decided is decided at the callback's time (the earliest such), and
--   no longer counts toward pending_deadline and stuck_pending. Decision time precedence:
--   Plivo's updated_at, else the earliest callback for the decision, else the first collection
--   that saw it (see int_plivo_carrier_status_runs). Each account's latest snapshot is its own.
-- grain: Plivo number in its account's latest successful Plivo snapshot (released numbers are
--   not in it)
-- key: account, phone_number
-- materialized: table
-- columns:
--   account: the Plivo account (or subaccount), as named in callrep.toml (default: the single account)
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
--   att_decided_at: when AT&T reached its final status (ACTIVE or FAILED): its updated_at, else the earliest status callback for that decision, else the first collection of the unbroken streak that saw it; for a PENDING carrier, the earliest deciding callback received after the latest collection; null while undecided
--   tmobile_decided_at: the same for T-Mobile
--   att_callback_status: ACTIVE or FAILED when AT&T reads PENDING in the snapshot and a callback received after the latest collection decided it (the earliest such); null otherwise
--   tmobile_callback_status: the same for T-Mobile
--   att_callback_contradicted: the latest AT&T callback received since the collection before the latest reports another status than the latest snapshot (the snapshot is trusted)
--   tmobile_callback_contradicted: the same for T-Mobile
--   pending_deadline: the earliest pending start of a carrier still undecided plus 2 US business days (48 hours of business-day time: weekends and federal holidays skipped, counted in UTC; a start on a day off counts from the next business day's midnight, so it ends at the end of the 2nd business day)
--   stuck_pending: pending_deadline is earlier than the latest collection time (a carrier a callback decided no longer counts)
--   collected_at: the time of the account's latest successful Plivo collection (the "now" of this mart)


with

status_runs as (
    select * from int_plivo_carrier_status_runs
),

latest_run as (
    -- each account's latest successful Plivo collection
    select * from stg_plivo__runs
    qualify row_number() over (partition by account order by run_seq desc) = 1
),

callbacks as (
    select * from stg_plivo__status_callbacks where is_decision
),

latest as (
    select status_runs.*,
    from status_runs
    inner join latest_run on latest_run.run_id = status_runs.run_id
),

later_decisions as (
    -- the earliest decision a callback received after the latest collection reported for each
    -- carrier the snapshot shows PENDING
    select
        latest.account,
        latest.number,
        callbacks.carrier,
        arg_min(callbacks.status, callbacks.received_at) as status,
        min(callbacks.received_at) as decided_at,
    from latest
    inner join callbacks
        on callbacks.account = latest.account
        and callbacks.phone_number = latest.number
        and callbacks.received_at > latest.collected_at
        and (
            (callbacks.carrier = 'att' and latest.att_status = 'PENDING')
            or (callbacks.carrier = 'tmobile' and latest.tmobile_status = 'PENDING')
        )
    group by all
),

decided as (
    select
        latest.*,
        att_later.status as att_callback_status,
        tmobile_later.status as tmobile_callback_status,
        coalesce(latest.att_decided_at, att_later.decided_at) as att_decided,
        coalesce(latest.tmobile_decided_at, tmobile_later.decided_at) as tmobile_decided,
        least(
            case when att_later.status is null then latest.att_pending_deadline end,
            case when tmobile_later.status is null then latest.tmobile_pending_deadline end
        ) as undecided_deadline,
    from latest
    left join later_decisions as att_later
        on att_later.account = latest.account
        and att_later.number = latest.number
        and att_later.carrier = 'att'
    left join later_decisions as tmobile_later
        on tmobile_later.account = latest.account
        and tmobile_later.number = latest.number
        and tmobile_later.carrier = 'tmobile'
),

final as (
    select
        account,
        number as phone_number,
        profile_uuid,
        ein,
        ein_status,
        caller_reputation,
        merged_status,
        att_status,
        att_updated_at,
        tmobile_status,
        tmobile_updated_at,
        hidden_failure,
        att_pending_since,
        tmobile_pending_since,
        att_decided as att_decided_at,
        tmobile_decided as tmobile_decided_at,
        att_callback_status,
        tmobile_callback_status,
        att_callback_contradicted,
        tmobile_callback_contradicted,
        undecided_deadline as pending_deadline,
        coalesce(undecided_deadline < collected_at, false) as stuck_pending,
        collected_at,
    from decided
)

select * from final
