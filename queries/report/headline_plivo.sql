-- headline_plivo
-- purpose: Plivo registrations per carrier and status, and hidden failures, as of each period.
-- grain: period x carrier x status
-- key: period, carrier, status
-- parameters: none (reads report_plivo_status)
with per_carrier as (
    select period, 'AT&T' as carrier, coalesce(att_status, 'NONE') as status, hidden_failure
    from report_plivo_status
    union all
    select period, 'T-Mobile' as carrier, coalesce(tmobile_status, 'NONE') as status, hidden_failure
    from report_plivo_status
),

final as (
    select
        period,
        carrier,
        status,
        count(*) as numbers,
    from per_carrier
    group by period, carrier, status
    union all
    select period, 'any' as carrier, 'HIDDEN_FAILURE' as status, count(*) as numbers
    from report_plivo_status
    where hidden_failure
    group by period
)

select * from final
