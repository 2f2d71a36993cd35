-- remediation_number_history
-- purpose: each number ever submitted for remediation: how often, with what results, what it cost,
--   how often it came back high (the outcome rule of int_remediation_number_states: only data
--   refreshed after completion counts), and what to do next, as of now. recommendation, the first
--   rule that holds: rotate when it came back high within 30 days after 2 or more remediations
--   (each costs money and weeks; a new number is cheaper); wait when a request of its enterprise
--   is in flight (pending or in_progress: Telnyx leaves results null until completion, so its
--   members are unknown and resubmitting a member returns 409), or its last remediation's 30-day
--   window is still open, or its last bucket is ineligible (a cooldown); review when its last
--   bucket is requires_review or refused; resubmit when it came back high after its last
--   remediation; otherwise none.
-- grain: account x phone number
-- key: account, phone_number
-- materialized: view
-- columns:
--   account: the Telnyx account that submitted it, as named in callrep.toml (default: the single account)
--   phone_number: E.164 phone number
--   enterprise_id: Telnyx enterprise of its latest request
--   times_submitted: remediation requests with results that list the number
--   bucket_sequence: its buckets, oldest request first, joined by ' > '
--   first_submitted_at: created_at of its first request
--   last_submitted_at: created_at of its latest request
--   last_bucket: its bucket in the latest request
--   last_outcome: outcome of the latest request if it was remediated there (reflagged, stayed_clean, unmonitored, open); else null
--   times_remediated: requests that put it in the remediated bucket
--   times_reflagged: remediations after which it came back high within 30 days
--   charged_submissions: submissions Telnyx charges for (every bucket but ineligible)
--   remediation_usd: charged_submissions times telnyx_remediation_usd
--   recommendation: rotate, wait, review, resubmit or none (rules above)

with history as (
    select * from int_remediation_number_history where as_of = 'now'
),

final as (
    select
        account,
        phone_number,
        enterprise_id,
        times_submitted,
        bucket_sequence,
        first_submitted_at,
        last_submitted_at,
        last_bucket,
        last_outcome,
        times_remediated,
        times_reflagged,
        charged_submissions,
        remediation_usd,
        recommendation,
    from history
)

select * from final
