-- chart_cost
-- purpose: cost per month per Telnyx enterprise and per Plivo EIN, as of the report week (see
--   _stage_cost): the 12 months before the week's month observed, and the week's month in one bar:
--   observed up to the week's end plus the projected rest of the month.
--   `payer_label` names a Telnyx enterprise from dim_enterprises (business name, else legal
--   name, else its id); a Plivo payer is its EIN. Payers without cost are left out,
--   so the legend lists only series with data.
-- grain: provider x month x payer x kind
-- key: provider, month, payer, kind
with final as (
    select
        report_cost.provider,
        report_cost.month,
        strftime(report_cost.month, '%Y-%m') as month_label,
        report_cost.payer,
        coalesce(names.enterprise_name, report_cost.payer) as payer_label,
        case when period = 'projected_rest' then 'projected rest of month' else 'observed' end
            as kind,
        round(sum(report_cost.usd), 2) as usd,
    from report_cost
    left join dim_enterprises as names
        on report_cost.provider = 'Telnyx' and names.enterprise_id = report_cost.payer
    where report_cost.period in ('observed', 'to_date', 'projected_rest')
    group by all
    having sum(report_cost.usd) > 0
    order by report_cost.provider, report_cost.month, report_cost.payer, kind
)

select * from final
