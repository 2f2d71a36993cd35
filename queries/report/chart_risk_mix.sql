-- chart_risk_mix
-- purpose: numbers per risk level per day over the 12 weeks ending with the report week.
-- grain: day x spam_risk
-- key: day, spam_risk
-- parameters: $week_end, $window_days (days shown, ending on $week_end)
with daily as (
    select day, spam_risk, numbers
    from spam_risk_daily
    where day > $week_end::date - $window_days::integer and day <= $week_end
),

final as (
    select day, spam_risk, sum(numbers)::bigint as numbers
    from daily
    group by day, spam_risk
    order by day, spam_risk
)

select * from final
