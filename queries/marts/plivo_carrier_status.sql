-- plivo_carrier_status
-- purpose: every Plivo number in the latest successful snapshot with each carrier's real status,
--   the failures the merged status hides, and registrations pending for longer than Plivo's
--   "up to 2 business days".
-- grain: Plivo number in the latest successful Plivo snapshot (released numbers are not in it)
-- key: number
-- materialized: table
-- columns:
--   number: the phone number in E.164 (with the +)
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

states as (
    select * from int_plivo_number_states
),

business_days as (
    select * from int_plivo_business_days
),

runs as (
    select * from stg_plivo__runs
),

latest_run as (
    select
        latest_runs.run_id,
        latest_runs.collected_at,
        runs.run_seq,
    from latest_runs
    inner join runs on runs.run_id = latest_runs.run_id
    where latest_runs.source = 'plivo'
),

pending_observations as (
    select phone_number, run_seq, collected_at, 'att' as carrier
    from states
    where att_status = 'PENDING'
    union all
    select phone_number, run_seq, collected_at, 'tmobile' as carrier
    from states
    where tmobile_status = 'PENDING'
),

pending_streaks as (
    -- consecutive successful collections seeing the carrier PENDING share a streak; a collection
    -- without the number or with another status breaks it
    select
        *,
        run_seq - row_number() over (partition by phone_number, carrier order by run_seq) as streak,
    from pending_observations
),

streak_starts as (
    select
        phone_number,
        min(collected_at) filter (where carrier = 'att') as att_streak_started_at,
        min(collected_at) filter (where carrier = 'tmobile') as tmobile_streak_started_at,
    from (
        select
            *,
            max(run_seq) over (partition by phone_number, carrier, streak) as streak_last_seq,
        from pending_streaks
    )
    where streak_last_seq = (select run_seq from latest_run)
    group by phone_number
),

latest as (
    select
        states.*,
        latest_run.collected_at as now_at,
    from states
    inner join latest_run on latest_run.run_id = states.run_id
),

pending as (
    select
        latest.*,
        case
            when latest.att_status = 'PENDING'
                then coalesce(latest.att_updated_at, streak_starts.att_streak_started_at)
        end as att_pending_since,
        case
            when latest.tmobile_status = 'PENDING'
                then coalesce(latest.tmobile_updated_at, streak_starts.tmobile_streak_started_at)
        end as tmobile_pending_since,
    from latest
    left join streak_starts on streak_starts.phone_number = latest.phone_number
),

pending_start as (
    select
        *,
        timezone('UTC', least(att_pending_since, tmobile_pending_since)) as pending_start_utc,
    from pending
),

deadline as (
    -- 48 hours of business-day time after the start; when that ends on a midnight, the end of the
    -- last business day counted (so a start on a day off ends at the end of the 2nd business day)
    select
        pending_start.phone_number,
        case
            when start_day.is_business_day and pending_start.pending_start_utc > start_day.day
                then target_day.day + (pending_start.pending_start_utc - start_day.day)
            else target_day.day + interval 1 day
        end as pending_deadline_utc,
    from pending_start
    inner join business_days as start_day
        on start_day.day = pending_start.pending_start_utc::date
    inner join business_days as target_day
        on target_day.is_business_day
        and target_day.business_day_number = start_day.business_day_number + case
            when start_day.is_business_day and pending_start.pending_start_utc > start_day.day then 2
            when start_day.is_business_day then 1
            else 2
        end
),

final as (
    select
        pending_start.phone_number as number,
        pending_start.profile_uuid,
        pending_start.ein,
        pending_start.ein_status,
        pending_start.caller_reputation,
        pending_start.merged_status,
        pending_start.att_status,
        pending_start.att_updated_at,
        pending_start.tmobile_status,
        pending_start.tmobile_updated_at,
        coalesce(
            'FAILED' in (pending_start.att_status, pending_start.tmobile_status)
            and pending_start.merged_status in ('ACTIVE', 'PENDING'),
            false
        ) as hidden_failure,
        pending_start.att_pending_since,
        pending_start.tmobile_pending_since,
        timezone('UTC', deadline.pending_deadline_utc) as pending_deadline,
        coalesce(deadline.pending_deadline_utc < timezone('UTC', pending_start.now_at), false)
            as stuck_pending,
        pending_start.now_at as collected_at,
    from pending_start
    left join deadline on deadline.phone_number = pending_start.phone_number
)

select * from final
