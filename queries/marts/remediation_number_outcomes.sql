-- remediation_number_outcomes
-- purpose: each number of each remediation request: its bucket, its risk before the request and
--   after completion, and, for remediated numbers, whether it came back high within 30 days.
--   Observations are each day's latest successful Telnyx run; an observation tells what happened
--   after completion only if its data was refreshed after completion (last_refreshed_at), so a
--   snapshot collected later but refreshed earlier never counts. The outcome columns are as of
--   now (everything collected); remediation_outcomes_weekly gives the counts as of each week.
-- grain: remediation request (of one Telnyx account) x phone number
-- since_column: created_at
-- key: account, request_id, phone_number
-- materialized: view
-- columns:
--   account: the Telnyx account that submitted it, as named in callrep.toml (default: the single account)
--   request_id: Telnyx remediation request id
--   enterprise_id: Telnyx enterprise that submitted the request
--   phone_number: E.164 phone number
--   bucket: remediated, not_flagged, requires_review, ineligible or refused
--   created_at: when the request was created (UTC)
--   tier2_completed_at: when the request completed (null until then)
--   window_ends_at: tier2_completed_at + 30 days, the end of the re-flag window (null until completed)
--   risk_before: risk at the last observation collected before the request's created_at (null if none)
--   observed_before_at: collection time of that observation
--   risk_after: risk at the first observation whose data was refreshed after tier2_completed_at (null if none yet)
--   refreshed_after_at: last_refreshed_at of that observation
--   observed_after_at: collection time of that observation
--   reflagged_at: remediated numbers: collection time of the first observation refreshed within (tier2_completed_at, window_ends_at] that is high; null if none
--   window_observed_at: remediated numbers: collection time of the first observation refreshed at or after window_ends_at; null if none
--   outcome: remediated numbers as of now: reflagged (reflagged_at is set), else stayed_clean (window_observed_at is set), else unmonitored (window_ends_at has passed: never counted clean), else open; null for other buckets
--   reflagged_within_30d: remediated numbers: true when outcome is reflagged, false when stayed_clean, else null
--   is_unmonitored: remediated numbers: outcome is unmonitored (window over, no data refreshed 30 days after completion and no high within); null for other buckets

with numbers as (
    select * from int_remediation_numbers
),

states as (
    select * from int_remediation_number_states where as_of = 'now'
),

final as (
    select
        n.account,
        n.request_id,
        n.enterprise_id,
        n.phone_number,
        n.bucket,
        n.created_at,
        n.tier2_completed_at,
        n.window_ends_at,
        n.risk_before,
        n.observed_before_at,
        n.risk_after,
        n.refreshed_after_at,
        n.observed_after_at,
        n.reflagged_at,
        n.window_observed_at,
        s.outcome,
        case s.outcome when 'reflagged' then true when 'stayed_clean' then false end
            as reflagged_within_30d,
        case when s.outcome is not null then s.outcome = 'unmonitored' end as is_unmonitored,
    from numbers as n
    left join states as s using (account, request_id, phone_number)
)

select * from final
