-- remediation_outcomes
-- purpose: each remediation request with its timings and how its numbers came out: Telnyx's
--   labels, and whether the remediated numbers stayed clean for 30 days (as of now, by the
--   outcome rule of int_remediation_number_states: only data refreshed after completion counts).
-- grain: remediation request (of one Telnyx account)
-- since_column: created_at
-- key: account, request_id
-- materialized: table
-- columns:
--   account: the Telnyx account that submitted it, as named in callrep.toml (default: the single account)
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
--   success_rate: Telnyx's label rate: remediated / (remediated + requires_review + refused); null when that is 0
--   window_ends_at: tier2_completed_at + 30 days (null until completed)
--   is_window_closed: window_ends_at is before now (the latest snapshot); false until completed or without results
--   stayed_clean: remediated numbers whose outcome is stayed_clean
--   reflagged: remediated numbers whose outcome is reflagged (high again within 30 days)
--   unmonitored: remediated numbers whose outcome is unmonitored (window over, no data refreshed 30 days after completion; never counted clean)
--   durable_success_rate: stayed_clean / (remediated + requires_review + refused) for a closed window; null while open or when that is 0

with requests as (
    select * from stg_telnyx__remediation_requests
),

results as (
    select * from stg_telnyx__remediation_results
),

states as (
    select * from int_remediation_number_states where as_of = 'now'
),

outcome_counts as (
    select
        account,
        request_id,
        bool_or(is_window_closed) as is_window_closed,
        count(*) filter (where outcome = 'stayed_clean') as stayed_clean,
        count(*) filter (where outcome = 'reflagged') as reflagged,
        count(*) filter (where outcome = 'unmonitored') as unmonitored,
    from states
    group by account, request_id
),

bucket_counts as (
    select
        account,
        request_id,
        count(distinct phone_number) filter (where bucket = 'remediated') as remediated,
        count(distinct phone_number) filter (where bucket = 'not_flagged') as not_flagged,
        count(distinct phone_number) filter (where bucket = 'requires_review') as requires_review,
        count(distinct phone_number) filter (where bucket = 'ineligible') as ineligible,
        count(distinct phone_number) filter (where bucket = 'refused') as refused,
    from results
    group by account, request_id
),

joined as (
    select
        q.*,
        coalesce(b.remediated, 0) as remediated,
        coalesce(b.not_flagged, 0) as not_flagged,
        coalesce(b.requires_review, 0) as requires_review,
        coalesce(b.ineligible, 0) as ineligible,
        coalesce(b.refused, 0) as refused,
        coalesce(o.stayed_clean, 0) as stayed_clean,
        coalesce(o.reflagged, 0) as reflagged,
        coalesce(o.unmonitored, 0) as unmonitored,
        q.tier2_completed_at + interval 30 day as window_ends_at,
        coalesce(o.is_window_closed, false) as is_window_closed,
    from requests as q
    left join bucket_counts as b using (account, request_id)
    left join outcome_counts as o using (account, request_id)
),

final as (
    select
        account,
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
        window_ends_at,
        is_window_closed,
        stayed_clean,
        reflagged,
        unmonitored,
        case
            when is_window_closed
                then stayed_clean / nullif(remediated + requires_review + refused, 0)
        end as durable_success_rate,
    from joined
)

select * from final
