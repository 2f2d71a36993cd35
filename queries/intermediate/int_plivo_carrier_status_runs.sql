-- int_plivo_carrier_status_runs
-- purpose: the plivo_carrier_status rules evaluated at every successful Plivo collection, each
--   against THAT collection's time: hidden failures (a carrier FAILED while the merged status reads
--   ACTIVE or PENDING), when each carrier's PENDING started (its updated_at, else the first
--   collection of the unbroken PENDING streak that reaches this collection) and registrations stuck
--   in PENDING (pending start plus 2 US business days earlier than this collection). The mart
--   plivo_carrier_status is the latest run's rows; the weekly report reads the week's last run.
-- grain: Plivo number x successful Plivo run
-- key: run_id, number
-- materialized: incremental
-- incremental_on: collected_at

with

-- Built incrementally: only the runs collected from callrep_since on are evaluated. Their pending
-- streaks need only the numbers' PENDING rows (a streak id counts PENDING rows alone), read narrowly.

states as (
    select * from int_plivo_number_states where collected_at >= getvariable('callrep_since')
),

business_days as (
    select * from int_plivo_business_days
),

pending_numbers as (
    select distinct phone_number
    from stg_plivo__number_snapshots
    where collected_at >= getvariable('callrep_since')
        and (att_status = 'PENDING' or tmobile_status = 'PENDING')
),

pending_history as (
    -- every PENDING row (all runs) of the numbers PENDING in a run being built, narrow
    select
        phone_number,
        run_seq,
        collected_at,
        coalesce(att_status = 'PENDING', false) as att_is_pending,
        coalesce(tmobile_status = 'PENDING', false) as tmobile_is_pending,
    from stg_plivo__number_snapshots
    where (att_status = 'PENDING' or tmobile_status = 'PENDING')
        and phone_number in (select phone_number from pending_numbers)
),

streaks as (
    -- consecutive successful collections seeing a carrier PENDING share a streak: run_seq minus
    -- the row's rank among the number's PENDING rows (a collection without the number or with
    -- another status breaks it); the streak's first collection is its start
    select
        phone_number,
        run_seq,
        min(collected_at) filter (where att_is_pending)
            over (partition by phone_number, att_is_pending, att_streak) as att_streak_start,
        min(collected_at) filter (where tmobile_is_pending)
            over (partition by phone_number, tmobile_is_pending, tmobile_streak)
            as tmobile_streak_start,
    from (
        select
            *,
            run_seq - row_number() over (
                partition by phone_number, att_is_pending order by run_seq
            ) as att_streak,
            run_seq - row_number() over (
                partition by phone_number, tmobile_is_pending order by run_seq
            ) as tmobile_streak,
        from pending_history
    )
    qualify collected_at >= getvariable('callrep_since')
),

pending as (
    select
        states.*,
        case
            when coalesce(states.att_status = 'PENDING', false)
                then coalesce(states.att_updated_at, streaks.att_streak_start)
        end as att_pending_since,
        case
            when coalesce(states.tmobile_status = 'PENDING', false)
                then coalesce(states.tmobile_updated_at, streaks.tmobile_streak_start)
        end as tmobile_pending_since,
    from states
    left join streaks
        on streaks.phone_number = states.phone_number and streaks.run_seq = states.run_seq
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
        pending_start.run_id,
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
            when start_day.is_business_day
                and pending_start.pending_start_utc > start_day.day then 2
            when start_day.is_business_day then 1
            else 2
        end
    where pending_start.pending_start_utc is not null
),

final as (
    select
        pending_start.run_id,
        pending_start.run_seq,
        pending_start.collected_at,
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
        coalesce(
            deadline.pending_deadline_utc < timezone('UTC', pending_start.collected_at), false
        ) as stuck_pending,
    from pending_start
    left join deadline
        on deadline.run_id = pending_start.run_id
        and deadline.phone_number = pending_start.phone_number
)

select * from final
