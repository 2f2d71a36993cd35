-- cost_breakdown
-- purpose: the cost tiles broken down, as of the report week (see _stage_cost): Telnyx per
--   component (base fee, checks, remediation, over every enterprise), Plivo per EIN.
-- grain: provider x part
-- key: provider, part
-- parameters: $week_end
with parts as (
    select
        provider,
        case when provider = 'Telnyx' then component else payer end as part,
        sum(usd) filter (where period = 'to_date') as to_date_usd,
        sum(usd) filter (where period = 'same_days_before') as same_days_before_usd,
        sum(usd) filter (where period in ('to_date', 'projected_rest')) as projected_month_usd,
        sum(usd) filter (where period = 'observed'
            and month = (date_trunc('month', $week_end::date) - interval 1 month)::date)
            as last_month_usd,
    from report_cost
    group by all
),

final as (
    select
        provider,
        part,
        coalesce(to_date_usd, 0) as to_date_usd,
        coalesce(same_days_before_usd, 0) as same_days_before_usd,
        coalesce(projected_month_usd, 0) as projected_month_usd,
        coalesce(last_month_usd, 0) as last_month_usd,
    from parts
    where coalesce(to_date_usd, 0) + coalesce(same_days_before_usd, 0)
        + coalesce(projected_month_usd, 0) + coalesce(last_month_usd, 0) > 0
        or provider = 'Telnyx'
    order by provider desc, case part when 'base fee' then 1 when 'checks' then 2
        when 'remediation' then 3 else 4 end, part
)

select * from final
