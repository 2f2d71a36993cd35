-- score_drift_onsets
-- purpose: the one rule for "drift is new this week": per ISO week, the numbers with a
--   score_drift row in the week and none in the 7 days before its Monday, one row per number with
--   the scores that fell and the worst drop. The weekly report lists them and the alerts read
--   them; score_drift keeps the full history (one row per number, day and score).
-- grain: ISO week x phone number
-- since_column: iso_week
-- key: iso_week, phone_number
-- materialized: table
-- columns:
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

with drift as (
    select * from int_score_drift
),

in_weeks as (
    select
        drift.*,
        date_trunc('week', drift.observed_on)::date as week_start,
    from drift
),

per_week as (
    select
        week_start,
        phone_number,
        arg_max(enterprise_id, observed_on) as enterprise_id,
        min(observed_on) as first_drift_on,
        max(observed_on) as last_drift_on,
        list_sort(list(distinct score)) as scores,
        arg_max(score, (points_dropped, observed_on)) as worst_score,
        max(points_dropped) as worst_drop,
        arg_max(value_before, (points_dropped, observed_on)) as worst_value_before,
        arg_max(value_now, (points_dropped, observed_on)) as worst_value_now,
        arg_max(spam_risk, observed_on) as spam_risk,
    from in_weeks
    group by week_start, phone_number
),

drifted_before as (
    -- numbers with a drift row in the 7 days before each week's Monday
    select distinct per_week.week_start, per_week.phone_number
    from per_week
    join drift
        on drift.phone_number = per_week.phone_number
        and drift.observed_on >= per_week.week_start - 7
        and drift.observed_on < per_week.week_start
),

final as (
    select
        strftime(per_week.week_start, '%G-W%V') as iso_week,
        per_week.week_start,
        per_week.phone_number,
        per_week.enterprise_id,
        per_week.first_drift_on,
        per_week.last_drift_on,
        array_to_string(
            list_filter(
                ['maturity', 'connection', 'engagement', 'sentiment'],
                s -> list_contains(per_week.scores, s)
            ),
            ', '
        ) as scores_fell,
        per_week.worst_score,
        per_week.worst_drop,
        per_week.worst_value_before,
        per_week.worst_value_now,
        per_week.spam_risk,
    from per_week
    left join drifted_before
        on drifted_before.week_start = per_week.week_start
        and drifted_before.phone_number = per_week.phone_number
    where drifted_before.phone_number is null
)

select * from final
