-- chart_cost
-- purpose: cost per month per Telnyx enterprise and per Plivo EIN, as of the report week (see
--   _stage_cost): the 12 months before the week's month observed, and the week's month in one bar:
--   observed up to the week's end plus the projected rest of the month.
-- grain: provider x month x payer x kind
-- key: provider, month, payer, kind
with final as (
    select
        provider,
        month,
        strftime(month, '%Y-%m') as month_label,
        payer,
        case when period = 'projected_rest' then 'projected rest of month' else 'observed' end
            as kind,
        round(sum(usd), 2) as usd,
    from report_cost
    where period in ('observed', 'to_date', 'projected_rest')
    group by all
    having sum(usd) > 0
    order by provider, month, payer, kind
)

select * from final
