-- chart_cost
-- purpose: cost per month per Telnyx enterprise and per Plivo EIN, as of the report week (see
--   _stage_cost): the 12 months before the week's month observed, and the week's month in one bar:
--   observed up to the week's end plus the projected rest of the month.
--   `payer_label` names a Telnyx enterprise from dim_enterprises (business name, else legal
--   name, else its id) and a Plivo EIN by its business name as the week's last Plivo run saw it
--   (report_plivo_status), else the EIN; two payers with one name add their id. Payers without
--   cost are left out, so the legend and the labels list only series with data.
-- grain: provider x month x account x payer x kind
-- key: provider, month, account, payer, kind
with plivo_names as (
    select account, ein, min(company_name) as company_name
    from report_plivo_status
    where period = 'current' and company_name is not null
    group by account, ein
),

named as (
    select
        report_cost.provider,
        report_cost.month,
        report_cost.account,
        report_cost.payer,
        report_cost.period,
        report_cost.usd,
        coalesce(enterprises.enterprise_name, plivo_names.company_name, report_cost.payer)
            as name,
    from report_cost
    left join dim_enterprises as enterprises
        on report_cost.provider = 'Telnyx'
        and enterprises.account = report_cost.account
        and enterprises.enterprise_id = report_cost.payer
    left join plivo_names
        on report_cost.provider = 'Plivo'
        and plivo_names.account = report_cost.account
        and plivo_names.ein = report_cost.payer
    where report_cost.period in ('observed', 'to_date', 'projected_rest')
),

final as (
    select
        provider,
        month,
        strftime(month, '%Y-%m') as month_label,
        account,
        payer,
        case
            when count(distinct payer) over (partition by provider, name) > 1
                then name || ' (' || left(payer, 8) || ')'
            when count(distinct account) over (partition by provider, name) > 1
                then name || ' (' || account || ')'
            else name
        end as payer_label,
        case when period = 'projected_rest' then 'projected rest of month' else 'observed' end
            as kind,
        round(sum(usd), 2) as usd,
    from named
    group by provider, month, account, payer, name, kind
    having sum(usd) > 0
    order by provider, month, payer, account, kind
)

select * from final
