-- score_drift_onsets
-- purpose: the one rule for "drift is new this week": per ISO week, the numbers with a
--   score_drift row in the week and none in the 7 days before its Monday, one row per number with
--   the scores that fell and the worst drop. The weekly report lists them and the alerts read
--   them; score_drift keeps the full history (one row per number, day and score).
-- grain: ISO week x account x phone number
-- since_column: iso_week
-- key: account, iso_week, phone_number
-- materialized: incremental
-- incremental_on: week_start
-- incremental_grain: week
-- columns:
--   account: the Telnyx account, as named in callrep.toml (default: the single account)
--   iso_week: ISO week label (2026-W46)
--   week_start: the week's Monday (UTC)
--   phone_number: E.164 phone number
--   enterprise_id: Telnyx enterprise the number belonged to on its latest drift day in the week
--   first_drift_on: the first day in the week with a drift row
--   last_drift_on: the last day in the week with a drift row
--   scores_fell: the scores that fell 15 points or more in the week, comma-separated, in the fixed order maturity, connection, engagement, sentiment
--   worst_score: the score with the largest drop in the week
--   worst_drop: that drop, in points
--   worst_value_before: that score at the observation 7 or more days before the drop
--   worst_value_now: that score on the day of the drop
--   spam_risk: the number's risk on its latest drift day in the week (low or medium)

-- Incremental by week: the new weeks need the drift rows of the week before them as well.
-- (callrep_since is unset when the SQL is run on its own: then every week.)
with drift as (
    select *
    from int_score_drift
    where observed_on
        >= coalesce(getvariable('callrep_since'), date '1900-01-01') - 7
),

enterprises as (
    select * from int_telnyx_enterprise_days
),

in_weeks as (
    select
        e.account,
        d.phone_key,
        e.enterprise_id,
        d.observed_on,
        d.risk_code,
        d.score_code,
        d.value_now,
        d.value_before,
        cast(d.value_before as smallint) - cast(d.value_now as smallint) as points_dropped,
        date_trunc('week', d.observed_on)::date as week_start,
    from drift as d
    join enterprises as e on e.observed_on = d.observed_on and e.enterprise_key = d.enterprise_key
),

-- One arg_max carries the worst drop's fields (one sort key per group instead of three);
-- flags instead of list(distinct score), which DuckDB evaluates with a sort per group; the
-- number as its phone key and the score as its code (cheaper to group and compare than text;
-- spelled out below). Ties of the worst drop go to the score whose name sorts last, by the
-- code's rank in name order (connection, engagement, maturity, sentiment).
per_week as (
    select
        week_start,
        account,
        phone_key,
        arg_max(enterprise_id, observed_on) as enterprise_id,
        min(observed_on) as first_drift_on,
        max(observed_on) as last_drift_on,
        bool_or(score_code = 1) as fell_maturity,
        bool_or(score_code = 2) as fell_connection,
        bool_or(score_code = 3) as fell_engagement,
        bool_or(score_code = 4) as fell_sentiment,
        arg_max(
            {'score_code': score_code, 'value_before': value_before, 'value_now': value_now},
            (points_dropped, observed_on, [3, 1, 2, 4][score_code])
        ) as worst,
        max(points_dropped) as worst_drop,
        arg_max(risk_code, observed_on) as risk_code,
    from in_weeks
    group by week_start, account, phone_key
),

-- A drift row in the 7 days before a week's Monday is a row in the week before.
new_in_week as (
    select per_week.*
    from per_week
    anti join per_week as week_before
        on week_before.account = per_week.account
        and week_before.phone_key = per_week.phone_key
        and week_before.week_start = per_week.week_start - 7
    where per_week.week_start >= coalesce(getvariable('callrep_since'), date '1900-01-01')
),

final as (
    select
        account,
        strftime(week_start, '%G-W%V') as iso_week,
        week_start,
        '+' || phone_key as phone_number,
        enterprise_id,
        first_drift_on,
        last_drift_on,
        concat_ws(
            ', ',
            case when fell_maturity then 'maturity' end,
            case when fell_connection then 'connection' end,
            case when fell_engagement then 'engagement' end,
            case when fell_sentiment then 'sentiment' end
        ) as scores_fell,
        (['maturity', 'connection', 'engagement', 'sentiment'])[worst.score_code] as worst_score,
        worst_drop,
        cast(worst.value_before as smallint) as worst_value_before,
        cast(worst.value_now as smallint) as worst_value_now,
        (['unknown', 'low', 'medium', 'high'])[risk_code + 1] as spam_risk,
    from new_in_week
)

select * from final
