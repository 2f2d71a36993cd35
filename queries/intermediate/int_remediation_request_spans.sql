-- int_remediation_request_spans
-- purpose: when each remediation request was open: from created_at until it finished (tier 2
--   completed, or failed or cancelled at its last update). A request is in flight at a cut-off
--   when created_at < cut-off and (finished_at is null or finished_at >= cut-off): read by
--   int_remediation_number_history (the "wait" recommendation) and the weekly report's next steps.
-- grain: remediation request
-- key: account, request_id
-- materialized: view

with requests as (
    select * from stg_telnyx__remediation_requests
),

final as (
    select
        account,
        request_id,
        enterprise_id,
        call_purpose,
        created_at,
        coalesce(
            tier2_completed_at,
            case
                when status in ('completed', 'failed', 'cancelled')
                    then coalesce(updated_at, collected_at)
            end
        ) as finished_at,
    from requests
)

select * from final
