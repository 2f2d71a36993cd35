-- score_drift
-- purpose: the early warning: a number still low or medium whose score is at least 15 points
--   lower than at its latest observation 7 or more days earlier (labels trail behaviour); the
--   rule lives in int_score_drift (compact rows, spelled out here).
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

enterprises as (
    select * from int_telnyx_enterprise_days
),

final as (
    select
        e.account,
        '+' || d.phone_key as phone_number,
        e.enterprise_id,
        d.observed_on,
        (['unknown', 'low', 'medium', 'high'])[d.risk_code + 1] as spam_risk,
        (['maturity', 'connection', 'engagement', 'sentiment'])[d.score_code] as score,
        cast(d.value_now as smallint) as value_now,
        cast(d.value_before as smallint) as value_before,
        d.before_on,
        cast(d.value_before as smallint) - cast(d.value_now as smallint) as points_dropped,
    from drift as d
    join enterprises as e on e.observed_on = d.observed_on and e.enterprise_key = d.enterprise_key
)

select * from final
