-- chart_flagged_cleared
-- purpose: numbers newly high and numbers cleared per ISO week, the 12 weeks up to the report week.
-- grain: iso_week x measure
-- key: iso_week, measure
-- parameters: $week, $weeks (how many weeks)
with weeks as (
    select iso_week, sum(newly_high)::bigint as newly_high, sum(cleared)::bigint as cleared
    from spam_risk_weekly
    where iso_week <= $week
    group by iso_week
    order by iso_week desc
    limit $weeks
),

final as (
    select iso_week, 'newly high' as measure, newly_high as numbers from weeks
    union all
    select iso_week, 'cleared' as measure, cleared as numbers from weeks
    order by iso_week, measure
)

select * from final
