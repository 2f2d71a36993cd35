-- int_score_drift
-- purpose: the score-drift rule, written once (published by the mart score_drift, read by
--   score_drift_onsets): a number still low or medium whose score is at least 15 points lower
--   than at its latest observation 7 or more days earlier (labels trail behaviour).
-- grain: account x phone number x observation day x score
-- key: account, phone_number, observed_on, score
-- materialized: incremental
-- incremental_on: observed_on

with events as (
    select * from int_telnyx_number_events
),

enterprises as (
    select * from int_telnyx_enterprise_days
),

candidates as (
    select *
    from events
    where observed_on >= getvariable('callrep_since') and risk_code in (1, 2)
        and before_on is not null
),

per_score as (
    select account, phone_key, enterprise_key, observed_on, risk_code, before_on,
        'maturity' as score, maturity_score as value_now, maturity_before as value_before,
    from candidates
    union all
    select account, phone_key, enterprise_key, observed_on, risk_code, before_on,
        'connection', connection_score, connection_before,
    from candidates
    union all
    select account, phone_key, enterprise_key, observed_on, risk_code, before_on,
        'engagement', engagement_score, engagement_before,
    from candidates
    union all
    select account, phone_key, enterprise_key, observed_on, risk_code, before_on,
        'sentiment', sentiment_score, sentiment_before,
    from candidates
),

final as (
    select
        p.account,
        '+' || p.phone_key as phone_number,
        e.enterprise_id,
        p.observed_on,
        (['unknown', 'low', 'medium', 'high'])[p.risk_code + 1] as spam_risk,
        p.score,
        cast(p.value_now as smallint) as value_now,
        cast(p.value_before as smallint) as value_before,
        p.before_on,
        cast(p.value_before as smallint) - cast(p.value_now as smallint) as points_dropped,
    from per_score as p
    join enterprises as e on e.observed_on = p.observed_on and e.enterprise_key = p.enterprise_key
    where cast(p.value_now as smallint) + 15 <= cast(p.value_before as smallint)
)

select * from final
