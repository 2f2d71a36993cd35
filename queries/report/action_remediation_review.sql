-- action_remediation_review
-- purpose: numbers in remediation requests whose results put them in requires_review or refused,
--   for requests with results by the week's end, with their risk after completion as known at
--   the week's end (data refreshed after completion). Most severe first: refused, then oldest.
-- grain: request x phone number
-- key: request_id, phone_number
-- parameters: $as_of, $limit
with requests as (
    select *
    from remediation_outcomes
    where created_at < $as_of
      and coalesce(tier2_completed_at, tier1_completed_at) < $as_of
),

numbers as (
    select n.*
    from remediation_number_outcomes as n
    where n.bucket in ('requires_review', 'refused')
),

final as (
    select
        numbers.phone_number,
        requests.request_id,
        requests.enterprise_id,
        coalesce(names.doing_business_as, names.legal_name, requests.enterprise_id)
            as enterprise_name,
        numbers.bucket,
        requests.status as request_status,
        requests.created_at,
        numbers.risk_before,
        -- the first data refreshed after completion, if collected by the week's end
        case when numbers.observed_after_at < $as_of then numbers.risk_after end as risk_after,
        count(*) over () as total_rows,
    from numbers
    join requests on requests.request_id = numbers.request_id
    left join report_enterprises as names on names.enterprise_id = requests.enterprise_id
    order by (numbers.bucket = 'refused') desc, requests.created_at, numbers.phone_number
    limit $limit
)

select * from final
