-- remediation_outcomes
-- purpose: each remediation request with its timings and how its numbers came out.
-- grain: remediation request
-- key: request_id
-- materialized: table
-- columns:
--   request_id: Telnyx remediation request id
--   enterprise_id: Telnyx enterprise that submitted it
--   status: request status as last collected (pending, in_progress, completed, failed, cancelled)
--   call_purpose: the call purpose submitted
--   created_at: when the request was created (UTC)
--   tier1_completed_at: when tier 1 completed (null until then)
--   tier2_completed_at: when tier 2 completed (null until then)
--   hours_to_tier1: hours from created_at to tier1_completed_at (null until then)
--   hours_to_complete: hours from created_at to tier2_completed_at (null until then)
--   phone_numbers_count: numbers in the request, as the API reports it
--   phone_numbers_submitted: numbers submitted, as the API reports it
--   phone_numbers_ineligible: numbers ineligible, as the API reports it
--   remediated: numbers in the remediated bucket (0 when results are absent)
--   not_flagged: numbers in the not_flagged bucket (0 when results are absent)
--   requires_review: numbers in the requires_review bucket (0 when results are absent)
--   ineligible: numbers in the ineligible bucket (0 when results are absent)
--   refused: numbers in the refused bucket (0 when results are absent)
--   success_rate: remediated / (remediated + requires_review + refused); null when that is 0

with requests as (
    select * from stg_telnyx__remediation_requests
),

results as (
    select * from stg_telnyx__remediation_results
),

bucket_counts as (
    select
        request_id,
        count(distinct phone_number) filter (where bucket = 'remediated') as remediated,
        count(distinct phone_number) filter (where bucket = 'not_flagged') as not_flagged,
        count(distinct phone_number) filter (where bucket = 'requires_review') as requires_review,
        count(distinct phone_number) filter (where bucket = 'ineligible') as ineligible,
        count(distinct phone_number) filter (where bucket = 'refused') as refused,
    from results
    group by request_id
),

joined as (
    select
        q.*,
        coalesce(b.remediated, 0) as remediated,
        coalesce(b.not_flagged, 0) as not_flagged,
        coalesce(b.requires_review, 0) as requires_review,
        coalesce(b.ineligible, 0) as ineligible,
        coalesce(b.refused, 0) as refused,
    from requests as q
    left join bucket_counts as b using (request_id)
),

final as (
    select
        request_id,
        enterprise_id,
        status,
        call_purpose,
        created_at,
        tier1_completed_at,
        tier2_completed_at,
        round(epoch(tier1_completed_at - created_at) / 3600.0, 2) as hours_to_tier1,
        round(epoch(tier2_completed_at - created_at) / 3600.0, 2) as hours_to_complete,
        phone_numbers_count,
        phone_numbers_submitted,
        phone_numbers_ineligible,
        remediated,
        not_flagged,
        requires_review,
        ineligible,
        refused,
        remediated / nullif(remediated + requires_review + refused, 0) as success_rate,
    from joined
)

select * from final
