-- stg_telnyx__remediation_results
-- purpose: per-number outcomes of remediation requests, with a compact phone key.
-- grain: request x number x bucket
-- key: request_id, phone_number, bucket
-- materialized: view

with results as (
    select * from telnyx_remediation_results
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
    from results
)

select * from final
