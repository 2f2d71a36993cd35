-- chart_median_scores
-- purpose: the typical score per day for each of the four scores: the per-enterprise, per-risk
--   medians of spam_risk_daily averaged with the numbers they cover as weights.
-- grain: day x score
-- key: day, score
-- parameters: $week_end, $window_days
with daily as (
    select *
    from spam_risk_daily
    where day > $week_end::date - $window_days::integer and day <= $week_end
),

scores as (
    unpivot daily
    on median_maturity_score, median_connection_score, median_engagement_score,
        median_sentiment_score
    into name score value median_value
),

final as (
    select
        day,
        replace(replace(score, 'median_', ''), '_score', '') as score,
        round(sum(median_value * numbers) / nullif(sum(numbers), 0), 1) as median_score,
    from scores
    where median_value is not null
    group by day, score
    order by day, score
)

select * from final
