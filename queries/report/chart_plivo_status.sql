-- chart_plivo_status
-- purpose: Plivo numbers per carrier and registration status as of the week's last Plivo run.
-- grain: carrier x status
-- key: carrier, status
-- parameters: none (reads report_plivo_status)
with per_carrier as (
    select 'AT&T' as carrier, coalesce(att_status, 'NONE') as status
    from report_plivo_status where period = 'current'
    union all
    select 'T-Mobile' as carrier, coalesce(tmobile_status, 'NONE') as status
    from report_plivo_status where period = 'current'
),

final as (
    select carrier, status, count(*) as numbers
    from per_carrier
    group by carrier, status
    order by carrier, status
)

select * from final
