-- stg_telnyx__remediation_results
-- purpose: per-number outcomes of remediation requests, from each request's latest detail
--   (landing appends every detail's results; an older detail's rows are superseded), with a
--   compact phone key.
-- grain: request x number x bucket
-- key: request_id, phone_number, bucket
-- materialized: view

with results as (
    select * from telnyx_remediation_results
),

requests as (
    select * from stg_telnyx__remediation_requests
),

latest_detail as (
    select results.*
    from results
    left join requests using (request_id)
    where results.run_id >= coalesce(requests.detail_run_id, results.run_id)
    qualify results.run_id = max(results.run_id) over (partition by results.request_id)
),

final as (
    select
        request_id,
        account,
        phone_number,
        case
            when starts_with(phone_number, '+') and phone_number[2] <> '0'
                then try_cast(substr(phone_number, 2) as bigint)
        end as phone_key,
        bucket,
        bucket in ('remediated', 'not_flagged', 'requires_review', 'ineligible', 'refused')
            as is_known_bucket,
    from latest_detail
)

select * from final
