-- int_plivo_carrier_status_runs
-- purpose: the plivo_carrier_status rules evaluated at every successful Plivo collection, each
--   against THAT collection's time: hidden failures (a carrier FAILED while the merged status reads
--   ACTIVE or PENDING), when each carrier's PENDING started (its updated_at, else the first
--   collection of the unbroken PENDING streak that reaches this collection) and registrations stuck
--   in PENDING (pending start plus 2 US business days earlier than this collection). The mart
--   plivo_carrier_status is the latest run's rows; the weekly report reads the week's last run.
--   Each carrier's decision time (ACTIVE or FAILED), first source that has it:
--     1. Plivo's per-carrier updated_at in this snapshot;
--     2. the earliest status callback for that decision (same number, carrier and status) received
--        after the collection before the decision's streak and no later than its first collection;
--     3. the first collection of the unbroken streak of collections that saw that status.
--   A callback received since the previous collection whose status is not this snapshot's (the
--   latest such callback per carrier) is flagged: the snapshot is trusted, not the callback.
--   Each account (Plivo account or subaccount) is its own history: streaks, the collection before
--   and callbacks are matched within the account.
-- grain: Plivo number x successful Plivo run (of one account)
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

runs as (
    select * from stg_plivo__runs
),

callbacks as (
    select * from stg_plivo__status_callbacks where is_decision
),

pending_numbers as (
    select distinct account, phone_number
    from stg_plivo__number_snapshots
    where collected_at >= getvariable('callrep_since')
        and (att_status = 'PENDING' or tmobile_status = 'PENDING')
),

pending_history as (
    -- every PENDING row (all runs) of the numbers PENDING in a run being built, narrow
    select
        account,
        phone_number,
        run_seq,
        collected_at,
        coalesce(att_status = 'PENDING', false) as att_is_pending,
        coalesce(tmobile_status = 'PENDING', false) as tmobile_is_pending,
    from stg_plivo__number_snapshots
    semi join pending_numbers using (account, phone_number)
    where (att_status = 'PENDING' or tmobile_status = 'PENDING')
),

streaks as (
    -- consecutive successful collections seeing a carrier PENDING share a streak: run_seq minus
    -- the row's rank among the number's PENDING rows (a collection without the number or with
    -- another status breaks it); the streak's first collection is its start
    select
        account,
        phone_number,
        run_seq,
        min(collected_at) filter (where att_is_pending)
            over (partition by account, phone_number, att_is_pending, att_streak)
            as att_streak_start,
        min(collected_at) filter (where tmobile_is_pending)
            over (partition by account, phone_number, tmobile_is_pending, tmobile_streak)
            as tmobile_streak_start,
    from (
        select
            *,
            run_seq - row_number() over (
                partition by account, phone_number, att_is_pending order by run_seq
            ) as att_streak,
            run_seq - row_number() over (
                partition by account, phone_number, tmobile_is_pending order by run_seq
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
        on streaks.account = states.account
        and streaks.phone_number = states.phone_number
        and streaks.run_seq = states.run_seq
),

pending_start as (
    -- each carrier's pending start as a row, so the deadline is worked out per carrier
    select run_id, phone_number, 'att' as carrier, timezone('UTC', att_pending_since) as start_utc,
    from pending
    where att_pending_since is not null
    union all
    select
        run_id,
        phone_number,
        'tmobile' as carrier,
        timezone('UTC', tmobile_pending_since) as start_utc,
    from pending
    where tmobile_pending_since is not null
),

deadline as (
    -- 48 hours of business-day time after the start; when that ends on a midnight, the end of the
    -- last business day counted (so a start on a day off ends at the end of the 2nd business day)
    select
        pending_start.run_id,
        pending_start.phone_number,
        pending_start.carrier,
        case
            when start_day.is_business_day and pending_start.start_utc > start_day.day
                then target_day.day + (pending_start.start_utc - start_day.day)
            else target_day.day + interval 1 day
        end as deadline_utc,
    from pending_start
    inner join business_days as start_day
        on start_day.day = pending_start.start_utc::date
    inner join business_days as target_day
        on target_day.is_business_day
        and target_day.business_day_number = start_day.business_day_number + case
            when start_day.is_business_day
                and pending_start.start_utc > start_day.day then 2
            when start_day.is_business_day then 1
            else 2
        end
),

carrier_states as (
    -- each carrier of each number at each run being built, as a row
    select run_id, account, run_seq, collected_at, phone_number, 'att' as carrier,
        att_status as status, att_updated_at as updated_at,
    from states
    union all
    select run_id, account, run_seq, collected_at, phone_number, 'tmobile' as carrier,
        tmobile_status as status, tmobile_updated_at as updated_at,
    from states
),

undated_decisions as (
    -- decisions without Plivo's updated_at: only their numbers' history is read for streaks
    select distinct account, phone_number, carrier
    from carrier_states
    where status in ('ACTIVE', 'FAILED') and updated_at is null
),

decision_history as (
    select history.*
    from (
        select account, phone_number, run_seq, collected_at, 'att' as carrier,
            att_status as status,
        from stg_plivo__number_snapshots
        where att_status in ('ACTIVE', 'FAILED')
        union all
        select account, phone_number, run_seq, collected_at, 'tmobile' as carrier,
            tmobile_status as status,
        from stg_plivo__number_snapshots
        where tmobile_status in ('ACTIVE', 'FAILED')
    ) as history
    inner join undated_decisions
        on undated_decisions.account = history.account
        and undated_decisions.phone_number = history.phone_number
        and undated_decisions.carrier = history.carrier
),

decision_streaks as (
    -- consecutive successful collections seeing a carrier with one decided status share a streak
    -- (a collection without the number or with another status breaks it), as for PENDING above
    select
        account,
        phone_number,
        carrier,
        status,
        run_seq,
        min(run_seq) over (partition by account, phone_number, carrier, status, streak)
            as start_seq,
    from (
        select
            *,
            run_seq - row_number() over (
                partition by account, phone_number, carrier, status order by run_seq
            ) as streak,
        from decision_history
    )
    qualify collected_at >= getvariable('callrep_since')
),

decision_starts as (
    select
        decision_streaks.*,
        start_run.collected_at as start_at,
        before_run.collected_at as before_start_at,
    from decision_streaks
    inner join runs as start_run
        on start_run.account = decision_streaks.account
        and start_run.run_seq = decision_streaks.start_seq
    left join runs as before_run
        on before_run.account = decision_streaks.account
        and before_run.run_seq = decision_streaks.start_seq - 1
),

decision_callbacks as (
    -- the earliest callback for the decision, received between the collection before the
    -- streak and the streak's first collection
    select
        decision_starts.account,
        decision_starts.phone_number,
        decision_starts.carrier,
        decision_starts.run_seq,
        min(callbacks.received_at) as first_callback_at,
    from decision_starts
    inner join callbacks
        on callbacks.account = decision_starts.account
        and callbacks.phone_number = decision_starts.phone_number
        and callbacks.carrier = decision_starts.carrier
        and callbacks.status = decision_starts.status
        and callbacks.received_at <= decision_starts.start_at
        and (
            decision_starts.before_start_at is null
            or callbacks.received_at > decision_starts.before_start_at
        )
    group by all
),

window_callbacks as (
    -- the latest callback per carrier received since the previous collection (up to this one)
    select
        carrier_states.run_id,
        carrier_states.phone_number,
        carrier_states.carrier,
        callbacks.status as callback_status,
    from carrier_states
    left join runs as before_run
        on before_run.account = carrier_states.account
        and before_run.run_seq = carrier_states.run_seq - 1
    inner join callbacks
        on callbacks.account = carrier_states.account
        and callbacks.phone_number = carrier_states.phone_number
        and callbacks.carrier = carrier_states.carrier
        and callbacks.received_at <= carrier_states.collected_at
        and (before_run.collected_at is null or callbacks.received_at > before_run.collected_at)
    qualify row_number() over (
        partition by carrier_states.run_id, carrier_states.phone_number, carrier_states.carrier
        order by callbacks.received_at desc, callbacks.status
    ) = 1
),

carrier_decisions as (
    select
        carrier_states.run_id,
        carrier_states.phone_number,
        carrier_states.carrier,
        case
            when carrier_states.status in ('ACTIVE', 'FAILED')
                then coalesce(
                    carrier_states.updated_at,
                    decision_callbacks.first_callback_at,
                    decision_starts.start_at
                )
        end as decided_at,
        coalesce(
            window_callbacks.callback_status is not null
            and window_callbacks.callback_status is distinct from carrier_states.status,
            false
        ) as callback_contradicted,
        deadline.deadline_utc,
    from carrier_states
    left join decision_starts
        on decision_starts.account = carrier_states.account
        and decision_starts.phone_number = carrier_states.phone_number
        and decision_starts.carrier = carrier_states.carrier
        and decision_starts.run_seq = carrier_states.run_seq
    left join decision_callbacks
        on decision_callbacks.account = carrier_states.account
        and decision_callbacks.phone_number = carrier_states.phone_number
        and decision_callbacks.carrier = carrier_states.carrier
        and decision_callbacks.run_seq = carrier_states.run_seq
    left join window_callbacks
        on window_callbacks.run_id = carrier_states.run_id
        and window_callbacks.phone_number = carrier_states.phone_number
        and window_callbacks.carrier = carrier_states.carrier
    left join deadline
        on deadline.run_id = carrier_states.run_id
        and deadline.phone_number = carrier_states.phone_number
        and deadline.carrier = carrier_states.carrier
),

decisions as (
    select
        run_id,
        phone_number,
        max(decided_at) filter (where carrier = 'att') as att_decided_at,
        max(decided_at) filter (where carrier = 'tmobile') as tmobile_decided_at,
        bool_or(callback_contradicted) filter (where carrier = 'att') as att_callback_contradicted,
        bool_or(callback_contradicted) filter (where carrier = 'tmobile')
            as tmobile_callback_contradicted,
        max(deadline_utc) filter (where carrier = 'att') as att_deadline_utc,
        max(deadline_utc) filter (where carrier = 'tmobile') as tmobile_deadline_utc,
    from carrier_decisions
    group by run_id, phone_number
),

final as (
    select
        pending.run_id,
        pending.account,
        pending.run_seq,
        pending.collected_at,
        pending.phone_number as number,
        pending.profile_uuid,
        pending.ein,
        pending.ein_status,
        pending.caller_reputation,
        pending.merged_status,
        pending.att_status,
        pending.att_updated_at,
        pending.tmobile_status,
        pending.tmobile_updated_at,
        coalesce(
            'FAILED' in (pending.att_status, pending.tmobile_status)
            and pending.merged_status in ('ACTIVE', 'PENDING'),
            false
        ) as hidden_failure,
        pending.att_pending_since,
        pending.tmobile_pending_since,
        timezone('UTC', decisions.att_deadline_utc) as att_pending_deadline,
        timezone('UTC', decisions.tmobile_deadline_utc) as tmobile_pending_deadline,
        timezone('UTC', least(decisions.att_deadline_utc, decisions.tmobile_deadline_utc))
            as pending_deadline,
        coalesce(
            least(decisions.att_deadline_utc, decisions.tmobile_deadline_utc)
            < timezone('UTC', pending.collected_at),
            false
        ) as stuck_pending,
        decisions.att_decided_at,
        decisions.tmobile_decided_at,
        coalesce(decisions.att_callback_contradicted, false) as att_callback_contradicted,
        coalesce(decisions.tmobile_callback_contradicted, false)
            as tmobile_callback_contradicted,
    from pending
    left join decisions
        on decisions.run_id = pending.run_id
        and decisions.phone_number = pending.phone_number
)

select * from final
