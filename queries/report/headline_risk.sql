-- headline_risk
-- purpose: the week's Telnyx headline figures and the week before's, from spam_risk_weekly.
-- grain: ISO week (the report week and the one before)
-- key: iso_week
-- parameters: $week, $prev_week (ISO week labels such as 2026-W46)
with weekly as (
    select * from spam_risk_weekly
    where iso_week in ($week, $prev_week)
),

final as (
    select
        iso_week,
        sum(numbers_monitored)::bigint as numbers_monitored,
        sum(numbers_high)::bigint as numbers_high,
        sum(newly_high)::bigint as newly_high,
        sum(cleared)::bigint as cleared,
    from weekly
    group by iso_week
)

select * from final
