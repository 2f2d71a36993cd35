-- score_drift
-- purpose: the early warning: a number still low or medium whose score is at least 15 points
--   lower than at its latest observation 7 or more days earlier (labels trail behaviour); the
--   rule lives in int_score_drift.
-- grain: account x phone number x observation day x score
-- since_column: observed_on
-- key: account, phone_number, observed_on, score
-- materialized: view
-- columns:
--   account: the Telnyx account, as named in callrep.toml (default: the single account)
--   phone_number: E.164 phone number
--   enterprise_id: Telnyx enterprise the number belonged to on observed_on
--   observed_on: UTC day of the observation that shows the drop
--   spam_risk: the number's risk on observed_on (low or medium)
--   score: which score dropped: maturity, connection, engagement or sentiment
--   value_now: the score on observed_on
--   value_before: the score at the latest observation 7 or more days earlier
--   before_on: UTC day of that earlier observation
--   points_dropped: value_before - value_now (15 or more)

with drift as (
    select * from int_score_drift
),

final as (
    select
        account,
        phone_number,
        enterprise_id,
        observed_on,
        spam_risk,
        score,
        value_now,
        value_before,
        before_on,
        points_dropped,
    from drift
)

select * from final
