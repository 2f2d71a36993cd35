-- spam_risk_daily
-- purpose: how many monitored numbers sit at each spam-risk level per enterprise and day, with
--   the median of each score; each day counts only its latest successful Telnyx run, so
--   re-running a collection on the same day never double counts.
-- grain: day x enterprise (of one account) x spam risk
-- since_column: day
-- key: account, day, enterprise_id, spam_risk
-- materialized: incremental
-- incremental_on: day
-- columns:
--   account: the Telnyx account, as named in callrep.toml (default: the single account)
--   day: UTC date of the run's collected_at
--   enterprise_id: Telnyx enterprise
--   spam_risk: low, medium, high, or unknown (any other value, or no reputation data)
--   numbers: distinct numbers at this risk in the day's latest run
--   median_maturity_score: median maturity score (0-100) of those numbers
--   median_connection_score: median connection score (0-100)
--   median_engagement_score: median engagement score (0-100)
--   median_sentiment_score: median sentiment score (0-100)

-- `not materialized`: read through new_days below, five times
with number_days as not materialized (
    select * from int_telnyx_number_days
),

enterprises as (
    select * from int_telnyx_enterprise_days
),

-- read five times: `not materialized`, or DuckDB copies every new row first (on a full build,
-- the whole history); each read is a narrow scan that skips the row groups before callrep_since
new_days as not materialized (
    select * from number_days where observed_on >= getvariable('callrep_since')
),

levels as (
    select observed_on, enterprise_key, risk_code, count(*) as numbers,
    from new_days
    group by all
),

-- Scores are small integers: count each value per group and read the median off the
-- cumulative counts (a holistic median() holds every value of its group: 1.4 GB for this mart
-- alone at 100,000 numbers x 365 days, against 0.5 GB). Each
-- score is a 7-bit field of number_days.scores (127 = null, not counted), named by a code
-- (1 maturity, 2 connection, 3 engagement, 4 sentiment): a cheaper window partition key than
-- the name.
value_counts as (
    select observed_on, enterprise_key, risk_code, 1 as score,
        (scores >> 21) & 127 as value, count(*) as count,
    from new_days where (scores >> 21) & 127 <> 127 group by all
    union all
    select observed_on, enterprise_key, risk_code, 2, (scores >> 14) & 127, count(*),
    from new_days where (scores >> 14) & 127 <> 127 group by all
    union all
    select observed_on, enterprise_key, risk_code, 3, (scores >> 7) & 127, count(*),
    from new_days where (scores >> 7) & 127 <> 127 group by all
    union all
    select observed_on, enterprise_key, risk_code, 4, scores & 127, count(*),
    from new_days where scores & 127 <> 127 group by all
),

cumulative as (
    select
        *,
        sum(count) over (partition by observed_on, enterprise_key, risk_code, score order by value)
            as running,
        sum(count) over (partition by observed_on, enterprise_key, risk_code, score) as total,
    from value_counts
),

medians as (
    select
        observed_on,
        enterprise_key,
        risk_code,
        score,
        (min(value) filter (where running >= (total + 1) // 2)
            + min(value) filter (where running >= total // 2 + 1)) / 2.0 as median,
    from cumulative
    group by all
),

per_level as (
    select
        h.observed_on,
        h.enterprise_key,
        h.risk_code,
        h.numbers,
        any_value(m.median) filter (where m.score = 1) as median_maturity_score,
        any_value(m.median) filter (where m.score = 2) as median_connection_score,
        any_value(m.median) filter (where m.score = 3) as median_engagement_score,
        any_value(m.median) filter (where m.score = 4) as median_sentiment_score,
    from levels as h
    left join medians as m using (observed_on, enterprise_key, risk_code)
    group by all
),

final as (
    select
        e.account,
        p.observed_on as day,
        e.enterprise_id,
        (['unknown', 'low', 'medium', 'high'])[p.risk_code + 1] as spam_risk,
        p.numbers,
        p.median_maturity_score,
        p.median_connection_score,
        p.median_engagement_score,
        p.median_sentiment_score,
    from per_level as p
    join enterprises as e on e.observed_on = p.observed_on and e.enterprise_key = p.enterprise_key
)

select * from final
