-- int_score_drift
-- purpose: the score-drift rule, written once (published by the mart score_drift, read by
--   score_drift_onsets): a number still low or medium whose score is at least 15 points lower
--   than at its latest observation 7 or more days earlier (labels trail behaviour). Compact, as
--   int_telnyx_number_days: the enterprise as its key (int_telnyx_enterprise_days names it and
--   its account), the number as its phone key, the risk as its code (1 low / 2 medium) and the
--   score as score_code (1 maturity / 2 connection / 3 engagement / 4 sentiment). Millions of
--   rows of strings cost a full build more to write than the rule costs to compute (at 100,000
--   numbers x 365 days: 3.0 s against 0.7 s); score_drift spells the rows out.
-- grain: enterprise (of one account) x phone number x observation day x score
-- key: enterprise_key, phone_key, observed_on, score_code
-- materialized: incremental
-- incremental_on: observed_on

with events as (
    select * from int_telnyx_number_events
),

candidates as (
    select *
    from events
    where observed_on >= getvariable('callrep_since') and risk_code in (1, 2)
        and before_on is not null
),

per_score as (
    select phone_key, enterprise_key, observed_on, risk_code, before_on,
        1 as score_code, maturity_score as value_now, maturity_before as value_before,
    from candidates
    union all
    select phone_key, enterprise_key, observed_on, risk_code, before_on,
        2, connection_score, connection_before,
    from candidates
    union all
    select phone_key, enterprise_key, observed_on, risk_code, before_on,
        3, engagement_score, engagement_before,
    from candidates
    union all
    select phone_key, enterprise_key, observed_on, risk_code, before_on,
        4, sentiment_score, sentiment_before,
    from candidates
),

final as (
    select
        enterprise_key,
        phone_key,
        observed_on,
        risk_code,
        cast(score_code as utinyint) as score_code,
        value_now,
        value_before,
        before_on,
    from per_score
    where cast(value_now as smallint) + 15 <= cast(value_before as smallint)
)

select * from final
