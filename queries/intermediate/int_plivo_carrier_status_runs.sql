-- int_plivo_carrier_status_runs
-- purpose: the plivo_carrier_status rules evaluated at every successful Plivo collection, each
--   against THAT collection's time: hidden failures (a carrier FAILED while the merged status reads
--   ACTIVE or PENDING), when each carrier's PENDING started and registrations stuck in PENDING
--   (pending start plus 2 US business days earlier than this collection), when each carrier
--   decided and callbacks the snapshot contradicts. The mart plivo_carrier_status is the latest
--   run's rows; the weekly report reads the week's last run.
--   Each carrier's decision time (ACTIVE or FAILED), first source that has it:
--     1. Plivo's per-carrier updated_at in this snapshot;
--     2. the earliest status callback for that decision (same number, carrier and status) received
--        after the collection before the decision's streak and no later than its first collection;
--     3. the first collection of the unbroken streak of collections that saw that status.
--   A callback received since the previous collection whose status is not this snapshot's (the
--   latest such callback per carrier) is flagged: the snapshot is trusted, not the callback.
--   The facts behind 2, 3, the pending start and deadline and the callbacks are the few rows of
--   int_plivo_carrier_status_facts; this view joins them to every number at every run, so the
--   snapshot's own columns are never stored twice. A reader that picks runs reads only those
--   runs' rows when it filters on constant run ids (list_contains): a join to its runs does
--   not reach the state scan, which is then read whole.
-- grain: Plivo number x successful Plivo run (of one account)
-- key: run_id, number
-- materialized: view

with

states as (
    select * from int_plivo_number_states
),

facts as (
    select * from int_plivo_carrier_status_facts
),

final as (
    select
        states.run_id,
        states.account,
        states.run_seq,
        states.collected_at,
        states.phone_number as number,
        states.profile_uuid,
        states.ein,
        states.ein_status,
        states.caller_reputation,
        states.merged_status,
        states.att_status,
        states.att_updated_at,
        states.tmobile_status,
        states.tmobile_updated_at,
        coalesce(
            'FAILED' in (states.att_status, states.tmobile_status)
            and states.merged_status in ('ACTIVE', 'PENDING'),
            false
        ) as hidden_failure,
        facts.att_pending_since,
        facts.tmobile_pending_since,
        timezone('UTC', facts.att_deadline_utc) as att_pending_deadline,
        timezone('UTC', facts.tmobile_deadline_utc) as tmobile_pending_deadline,
        timezone('UTC', least(facts.att_deadline_utc, facts.tmobile_deadline_utc))
            as pending_deadline,
        coalesce(
            least(facts.att_deadline_utc, facts.tmobile_deadline_utc)
            < states.collected_at_utc,
            false
        ) as stuck_pending,
        case
            when states.att_status in ('ACTIVE', 'FAILED')
                then coalesce(states.att_updated_at, facts.att_first_callback_at, facts.att_start_at)
        end as att_decided_at,
        case
            when states.tmobile_status in ('ACTIVE', 'FAILED')
                then coalesce(
                    states.tmobile_updated_at,
                    facts.tmobile_first_callback_at,
                    facts.tmobile_start_at
                )
        end as tmobile_decided_at,
        coalesce(
            facts.att_callback_status is distinct from states.att_status
            and facts.att_callback_status is not null,
            false
        ) as att_callback_contradicted,
        coalesce(
            facts.tmobile_callback_status is distinct from states.tmobile_status
            and facts.tmobile_callback_status is not null,
            false
        ) as tmobile_callback_contradicted,
    from states
    left join facts
        on facts.run_id = states.run_id
        and facts.phone_number = states.phone_number
)

select * from final
