-- report_remediation_steps
-- purpose: the one next-step rule for a Telnyx number, as of the report week's end, read by
--   every action table that lists Telnyx numbers. The first that holds:
--   rotate ("remediated 2× and back: rotate the number") when its history's recommendation is
--   rotate; a request of its enterprise in flight ("2 requests in flight since Tue 10 Nov: check
--   before resubmitting": Telnyx leaves results null until completion, so which numbers a request
--   holds is unknown, and resubmitting one returns 409); its last remediation's 30-day window
--   open (wait); ineligible at its last request (a cooldown: wait); requires_review or refused at
--   its last request (review the number's calling before resubmitting); back to high after its
--   last remediation (resubmit); otherwise "submit for remediation". The recommendation itself
--   comes from remediation_number_history_weekly (its one definition), in-flight requests from
--   int_remediation_request_spans.
--   drift_next_step, the rule for a number whose scores drift (the report's drift table and the
--   alerts): rotate when its history says so; else "check the number's recent calls before
--   Telnyx flags it" (remediation is for flagged numbers).
-- grain: account x Telnyx phone number (as of the week), number with a remediation history, or
--   number whose drift is new in the week
-- key: account, phone_number
-- parameters: $week (ISO week label), $as_of (the exclusive end of the week, UTC)
create or replace temp table report_remediation_steps as
with history as (
    select * from report_remediation_history
),

numbers as (
    select account, phone_number, telnyx_enterprise_id as enterprise_id
    from report_overview
    where telnyx_enterprise_id is not null
    union
    select account, phone_number, enterprise_id
    from score_drift_onsets
    where iso_week = $week
),

in_flight as (
    select account, enterprise_id, count(*) as requests, min(created_at) as since
    from int_remediation_request_spans
    where created_at < $as_of::timestamptz
        and (finished_at is null or finished_at >= $as_of::timestamptz)
    group by account, enterprise_id
),

subjects as (
    select
        coalesce(history.account, numbers.account) as account,
        coalesce(history.phone_number, numbers.phone_number) as phone_number,
        coalesce(history.enterprise_id, numbers.enterprise_id) as enterprise_id,
        history.recommendation,
        history.times_submitted,
        history.times_remediated,
        history.times_reflagged,
        history.bucket_sequence,
        history.last_bucket,
        history.last_outcome,
    from history
    full outer join (
        select account, phone_number, arg_min(enterprise_id, enterprise_id) as enterprise_id
        from numbers
        group by account, phone_number
    ) as numbers
        on numbers.account = history.account and numbers.phone_number = history.phone_number
),

final as (
    select
        subjects.*,
        in_flight.requests as in_flight_requests,
        in_flight.since as in_flight_since,
        case
            when subjects.recommendation = 'rotate'
                then 'remediated ' || subjects.times_remediated || '× and back: rotate the number'
            when in_flight.requests is not null
                then in_flight.requests
                    || case when in_flight.requests = 1 then ' request' else ' requests' end
                    || ' in flight since '
                    || strftime(timezone('UTC', in_flight.since), '%a %-d %b')
                    || ': check before resubmitting'
            when subjects.last_outcome = 'open'
                then 'remediated; its 30-day window is still open: wait'
            when subjects.last_bucket = 'ineligible'
                then 'ineligible at its last request (a cooldown): wait'
            when subjects.last_bucket in ('requires_review', 'refused')
                then subjects.last_bucket || ' at its last request: review the number''s '
                    || 'calling before resubmitting'
            when subjects.recommendation = 'resubmit'
                then 'back to high after remediation: resubmit for remediation'
            else 'submit for remediation'
        end as next_step,
        case
            when subjects.recommendation = 'rotate' then next_step
            else 'check the number''s recent calls before Telnyx flags it'
        end as drift_next_step,
    from subjects
    left join in_flight
        on in_flight.account = subjects.account and in_flight.enterprise_id = subjects.enterprise_id
)

select * from final
