-- stg_telnyx__remediation_requests
-- purpose: remediation requests in their latest collected state.
-- grain: remediation request
-- key: request_id
-- materialized: view

with requests as (
    select * from telnyx_remediation_requests
),

final as (
    select
        request_id,
        account,
        enterprise_id,
        status,
        call_purpose,
        created_at,
        updated_at,
        tier1_completed_at,
        tier2_completed_at,
        phone_numbers_count,
        phone_numbers_submitted,
        phone_numbers_ineligible,
        has_results,
        collected_at,
        coalesce(len(flags), 0) > 0 as is_flagged,
    from requests
)

select * from final
