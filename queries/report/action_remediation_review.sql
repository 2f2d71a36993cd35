-- action_remediation_review
-- order: 6
-- title: Remediation: numbers needing review or refused
-- description: Numbers their latest completed remediation request left in requires_review or
--   refused. Refused first, then the oldest request.
-- sources: telnyx
-- export: remediation_number_outcomes
-- empty: No remediated number is waiting for review or was refused.
-- next_step: the number's Telnyx next step as of the week's end (report_remediation_steps): a
--   later request may have settled it, or it is in flight, or it needs a review of its calling.
-- purpose: numbers whose latest remediation request with results by the week's end put them in
--   requires_review or refused (a later completed request settles it: the state ends), with
--   their risk after completion as known at the week's end (data refreshed after completion).
--   Each request is labelled by its date and call purpose (the id goes in the cell's title).
--   Most severe first: refused, then oldest.
-- grain: account x phone number (with its latest completed request)
-- key: account, phone_number
-- parameters: $as_of, $limit
-- alert: remediation-review
-- alert_subject: account, phone_number, request_id
-- alert_label: phone_number, request_label
-- columns:
--   phone_number: Number [phone]
--   request_label: Request [text, title=request_id]
--   enterprise_name: Enterprise
--   bucket: Result [status]
--   request_status: Request status
--   risk_before: Risk before [status]
--   risk_after: Risk after [status]
--   next_step: Next step
with requests as (
    select *
    from remediation_outcomes
    where created_at < $as_of
      and coalesce(tier2_completed_at, tier1_completed_at) < $as_of
),

results as (
    select n.*, requests.created_at as request_created_at
    from remediation_number_outcomes as n
    inner join requests on requests.account = n.account and requests.request_id = n.request_id
),

latest as (
    select * from results
    qualify row_number() over (
        partition by account, phone_number order by request_created_at desc, request_id desc
    ) = 1
),

numbers as (
    select * exclude (request_created_at)
    from latest
    where bucket in ('requires_review', 'refused')
),

final as (
    select
        numbers.account,
        numbers.phone_number,
        requests.request_id,
        strftime(timezone('UTC', requests.created_at), '%a %-d %b %Y') || ': '
            || coalesce(requests.call_purpose, 'no call purpose') as request_label,
        requests.enterprise_id,
        coalesce(names.enterprise_name, requests.enterprise_id) as enterprise_name,
        numbers.bucket,
        requests.status as request_status,
        requests.created_at,
        numbers.risk_before,
        -- the first data refreshed after completion, if collected by the week's end
        case when numbers.observed_after_at < $as_of then numbers.risk_after end as risk_after,
        coalesce(steps.next_step, numbers.bucket || ': review the number''s calling before '
            || 'resubmitting') as next_step,
        count(*) over () as total_rows,
    from numbers
    join requests
        on requests.account = numbers.account and requests.request_id = numbers.request_id
    left join dim_enterprises as names
        on names.account = requests.account and names.enterprise_id = requests.enterprise_id
    left join report_remediation_steps as steps
        on steps.account = numbers.account and steps.phone_number = numbers.phone_number
    order by
        (numbers.bucket = 'refused') desc,
        requests.created_at,
        numbers.phone_number,
        numbers.account
    limit $limit
)

select * from final
