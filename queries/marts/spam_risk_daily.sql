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

-- `not materialized`: read through new_days below, four times
with number_days as not materialized (
    select * from int_telnyx_number_days
),

enterprises as (
    select * from int_telnyx_enterprise_days
),

-- read four times: `not materialized`, or DuckDB copies every new row first (on a full build,
-- the whole history); each read is a narrow scan that skips the row groups before callrep_since
new_days as not materialized (
    select * from number_days where observed_on >= getvariable('callrep_since')
),

-- Scores are small integers: count each value per group and read the median off the
-- cumulative counts (a holistic median() holds every value of its group: 1.4 GB for this mart
-- alone at 100,000 numbers x 365 days, against 0.5 GB). Each score is a 7-bit field of
-- number_days.scores (127 = null), named by a code (1 maturity, 2 connection, 3 engagement,
-- 4 sentiment): a cheaper window partition key than the name. Nulls are counted too, as value
-- 127, and left out of the medians only below: a filter in these scans cost more than the
-- few extra groups, and counting every row lets maturity's counts give the numbers per level
-- (a fifth scan before).
value_counts as (
    select observed_on, enterprise_key, risk_code, 1 as score,
        (scores >> 21) & 127 as value, count(*) as count,
    from new_days group by all
    union all
    select observed_on, enterprise_key, risk_code, 2, (scores >> 14) & 127, count(*),
    from new_days group by all
    union all
    select observed_on, enterprise_key, risk_code, 3, (scores >> 7) & 127, count(*),
    from new_days group by all
    union all
    select observed_on, enterprise_key, risk_code, 4, scores & 127, count(*),
    from new_days group by all
),

levels as (
    select observed_on, enterprise_key, risk_code, sum(count)::bigint as numbers,
    from value_counts
    where score = 1
    group by all
),

-- The running count of each value within its group and score (and the group's total: the same
-- sort), and of those only the one or two values that hold the middle ranks.
cumulative as (
    select
        *,
        sum(count) over (w rows between unbounded preceding and current row) as running,
        sum(count) over (w rows between unbounded preceding and unbounded following) as total,
    from value_counts
    where value <> 127
    window w as (partition by observed_on, enterprise_key, risk_code, score order by value)
),

-- The median is the mean of the values at ranks (total + 1) // 2 and total // 2 + 1 (the same
-- rank for an odd total). A value holds the ranks running - count + 1 to running: only the
-- values holding one of those ranks pass the filter, the lower middle one the least of them.
medians as (
    select
        observed_on,
        enterprise_key,
        risk_code,
        score,
        (min(value) + max(value)) / 2.0 as median,
    from cumulative
    where running >= (total + 1) // 2 and running - count < total // 2 + 1
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
