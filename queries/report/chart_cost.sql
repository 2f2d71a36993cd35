-- chart_cost
-- purpose: cost per month, observed and projected, per Telnyx enterprise and per Plivo EIN,
--   for months up to the report week's month plus the models' projection.
-- grain: provider x month x payer x kind
-- key: provider, month, payer, kind
-- parameters: $week_end
with telnyx as (
    select 'Telnyx' as provider, month, enterprise_id as payer, kind, sum(total_usd) as usd
    from telnyx_cost_monthly
    group by month, enterprise_id, kind
),

plivo as (
    select 'Plivo' as provider, month, ein as payer, kind, sum(charge_usd) as usd
    from plivo_ein_cost_monthly
    group by month, ein, kind
),

final as (
    select
        provider,
        month,
        strftime(month, '%Y-%m') || case when kind = 'projected' then ' p' else '' end as month_label,
        payer,
        kind,
        round(usd::double, 2) as usd,
    from (select * from telnyx union all select * from plivo)
    where kind = 'projected' or month <= date_trunc('month', $week_end::date)
    order by provider, month, payer, kind
)

select * from final
