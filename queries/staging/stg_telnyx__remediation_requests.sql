-- stg_telnyx__remediation_requests
-- purpose: remediation requests in their latest collected state. Landing only appends: a run
--   adds a full row for each request whose detail it fetched, and a slim row (the list's
--   columns only, no enterprise_id) for each settled one it merely listed. The latest row gives
--   the list's columns; the latest full row gives the rest.
-- grain: remediation request
-- key: account, request_id
-- materialized: view

with requests as (
    select * from telnyx_remediation_requests
),

latest as (
    select *
    from requests
    qualify row_number() over (
        partition by account, request_id
        order by last_seen_run_id desc nulls last, enterprise_id is not null desc
    ) = 1
),

latest_full as (
    select *
    from requests
    where enterprise_id is not null
    qualify row_number() over (
        partition by account, request_id
        order by coalesce(detail_run_id, last_seen_run_id) desc nulls last
    ) = 1
),

final as (
    select
        latest.request_id,
        latest.account,
        latest_full.enterprise_id,
        latest.status,
        latest.call_purpose,
        latest.created_at,
        latest.updated_at,
        latest.tier1_completed_at,
        latest.tier2_completed_at,
        latest.phone_numbers_count,
        latest_full.phone_numbers_submitted,
        latest_full.phone_numbers_ineligible,
        latest_full.has_results,
        latest_full.detail_run_id,
        latest.collected_at,
        coalesce(len(latest_full.flags), 0) > 0 as is_flagged,
    from latest
    join latest_full using (account, request_id)
)

select * from final
