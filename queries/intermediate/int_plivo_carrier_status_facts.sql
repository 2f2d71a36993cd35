-- int_plivo_carrier_status_facts
-- purpose: the per-carrier facts behind the plivo_carrier_status rules, for each Plivo number at
--   each successful collection that has any (sparse: the view int_plivo_carrier_status_runs
--   joins them to every number at every run and evaluates the rules there, each against THAT
--   collection's time):
--   - a carrier PENDING: since when (its updated_at, else the first collection of the unbroken
--     PENDING streak that reaches this collection) and the deadline, the start plus 2 US
--     business days (48 hours of business-day time, in UTC);
--   - a carrier decided (ACTIVE or FAILED) without Plivo's updated_at: the first collection of
--     the unbroken streak of collections that saw that status, and the earliest status callback
--     for that decision (same number, carrier and status) received after the collection before
--     the streak and no later than its first collection;
--   - the latest status callback per carrier received since the previous collection.
--   Each account (Plivo account or subaccount) is its own history: streaks, the collection before
--   and callbacks are matched within the account. Only these few rows are stored: a row per
--   number and run repeating the snapshot would cost a full build seconds of writing text.
-- grain: Plivo number x successful Plivo run (of one account) with any per-carrier fact
-- key: run_id, phone_number
-- materialized: incremental
-- incremental_on: collected_at

with

-- Built incrementally: only the runs collected from callrep_since on are evaluated. Their pending
-- streaks need only the numbers' PENDING rows (a streak id counts PENDING rows alone), read narrowly.
-- Memory: the per-carrier facts (pending start and deadline, decision streak start, callbacks) are
-- worked out on the few rows that need them and pivoted to one sparse row per number x run.

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
    -- the runs being built where a carrier is PENDING: since its updated_at, else its streak's start
    select
        snapshots.run_id,
        snapshots.phone_number,
        case
            when coalesce(snapshots.att_status = 'PENDING', false)
                then coalesce(snapshots.att_updated_at, streaks.att_streak_start)
        end as att_pending_since,
        case
            when coalesce(snapshots.tmobile_status = 'PENDING', false)
                then coalesce(snapshots.tmobile_updated_at, streaks.tmobile_streak_start)
        end as tmobile_pending_since,
    from stg_plivo__number_snapshots as snapshots
    left join streaks
        on streaks.account = snapshots.account
        and streaks.phone_number = snapshots.phone_number
        and streaks.run_seq = snapshots.run_seq
    where snapshots.collected_at >= getvariable('callrep_since')
        and (snapshots.att_status = 'PENDING' or snapshots.tmobile_status = 'PENDING')
),

pending_start as (
    -- each carrier's pending start as a row, so the deadline is worked out per carrier
    select run_id, phone_number, 'att' as carrier, att_pending_since as pending_since,
    from pending
    where att_pending_since is not null
    union all
    select run_id, phone_number, 'tmobile' as carrier, tmobile_pending_since as pending_since,
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
        pending_start.pending_since,
        case
            when start_day.is_business_day and pending_start.start_utc > start_day.day
                then target_day.day + (pending_start.start_utc - start_day.day)
            else target_day.day + interval 1 day
        end as deadline_utc,
    from (
        select *, timezone('UTC', pending_since) as start_utc, from pending_start
    ) as pending_start
    left join business_days as start_day
        on start_day.day = pending_start.start_utc::date
    left join business_days as target_day
        on target_day.is_business_day
        and target_day.business_day_number = start_day.business_day_number + case
            when start_day.is_business_day
                and pending_start.start_utc > start_day.day then 2
            when start_day.is_business_day then 1
            else 2
        end
),

undated_decisions as (
    -- decisions without Plivo's updated_at in a run being built: only their numbers' history is
    -- read for streaks
    select distinct account, phone_number, 'att' as carrier,
    from stg_plivo__number_snapshots
    where collected_at >= getvariable('callrep_since')
        and att_status in ('ACTIVE', 'FAILED')
        and att_updated_at is null
    union
    select distinct account, phone_number, 'tmobile' as carrier,
    from stg_plivo__number_snapshots
    where collected_at >= getvariable('callrep_since')
        and tmobile_status in ('ACTIVE', 'FAILED')
        and tmobile_updated_at is null
),

decision_history as (
    select history.*
    from (
        select run_id, account, phone_number, run_seq, collected_at, 'att' as carrier,
            att_status as status, att_updated_at as updated_at,
        from stg_plivo__number_snapshots
        where att_status in ('ACTIVE', 'FAILED')
        union all
        select run_id, account, phone_number, run_seq, collected_at, 'tmobile' as carrier,
            tmobile_status as status, tmobile_updated_at as updated_at,
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
    -- (a collection without the number or with another status breaks it), as for PENDING above;
    -- only the undated decisions being built need their streak's start
    select *
    from (
        select
            run_id,
            account,
            phone_number,
            carrier,
            status,
            run_seq,
            collected_at,
            updated_at,
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
    )
    where collected_at >= getvariable('callrep_since') and updated_at is null
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
    -- each undated decision's start and the earliest callback for it, received between the
    -- collection before the streak and the streak's first collection
    select
        decision_starts.run_id,
        decision_starts.phone_number,
        decision_starts.carrier,
        decision_starts.start_at,
        min(callbacks.received_at) as first_callback_at,
    from decision_starts
    left join callbacks
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

run_windows as (
    -- each run being built with the time since the previous collection (up to this one)
    select *
    from (
        select
            run_id,
            account,
            collected_at,
            lag(collected_at) over (partition by account order by run_seq) as before_at,
        from runs
    )
    where collected_at >= getvariable('callrep_since')
),

window_callbacks as (
    -- the latest callback per number and carrier received in each run's window: windows of one
    -- account do not overlap, so each callback lands in one run at most
    select
        run_windows.run_id,
        callbacks.phone_number,
        callbacks.carrier,
        callbacks.status as callback_status,
    from callbacks
    inner join run_windows
        on run_windows.account = callbacks.account
        and callbacks.received_at <= run_windows.collected_at
        and (run_windows.before_at is null or callbacks.received_at > run_windows.before_at)
    qualify row_number() over (
        partition by run_windows.run_id, callbacks.phone_number, callbacks.carrier
        order by callbacks.received_at desc, callbacks.status
    ) = 1
),

carrier_facts as (
    -- the sparse per-carrier facts as rows (each source fills its own columns, at most one row
    -- per number x run x carrier each)
    select
        run_id, phone_number, carrier, pending_since, deadline_utc,
        null::timestamptz as start_at, null::timestamptz as first_callback_at,
        null::varchar as callback_status,
    from deadline
    union all by name
    select run_id, phone_number, carrier, start_at, first_callback_at,
    from decision_callbacks
    union all by name
    select run_id, phone_number, carrier, callback_status,
    from window_callbacks
),

final as (
    -- one row per number x run with any fact, carriers side by side, with the run's time (what
    -- the increments are cut on)
    select
        carrier_facts.run_id,
        carrier_facts.phone_number,
        runs.collected_at,
        max(pending_since) filter (where carrier = 'att') as att_pending_since,
        max(pending_since) filter (where carrier = 'tmobile') as tmobile_pending_since,
        max(deadline_utc) filter (where carrier = 'att') as att_deadline_utc,
        max(deadline_utc) filter (where carrier = 'tmobile') as tmobile_deadline_utc,
        max(start_at) filter (where carrier = 'att') as att_start_at,
        max(start_at) filter (where carrier = 'tmobile') as tmobile_start_at,
        max(first_callback_at) filter (where carrier = 'att') as att_first_callback_at,
        max(first_callback_at) filter (where carrier = 'tmobile') as tmobile_first_callback_at,
        max(callback_status) filter (where carrier = 'att') as att_callback_status,
        max(callback_status) filter (where carrier = 'tmobile') as tmobile_callback_status,
    from carrier_facts
    inner join runs on runs.run_id = carrier_facts.run_id
    group by carrier_facts.run_id, carrier_facts.phone_number, runs.collected_at
)

select * from final
