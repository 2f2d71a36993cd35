-- cost_what_if
-- purpose: per Telnyx enterprise, the cheapest check_frequency that still refreshes at least weekly
--   (daily, business_daily or weekly) and what it would save per month against the current one, in
--   the month after the week's last Telnyx collection, at that collection's state
--   (telnyx_cost_what_if_daily). An enterprise whose current frequency is never has monitoring off:
--   no saving is offered.
-- grain: enterprise (of one account)
-- key: account, enterprise_id (named by dim_enterprises)
with full_month as (
    select telnyx_cost_what_if_daily.*
    from telnyx_cost_what_if_daily
    inner join report_runs
        on report_runs.run_id = telnyx_cost_what_if_daily.run_id
        and report_runs.period = 'current'
        and report_runs.source = 'telnyx'
),

current_frequency as (
    select account, enterprise_id, month, check_frequency, monitored_numbers, total_usd
    from full_month
    where is_current_frequency
),

weekly_or_better as (
    select
        account,
        enterprise_id,
        arg_min(
            check_frequency,
            (total_usd, case check_frequency when 'daily' then 1 when 'business_daily' then 2
                else 3 end)
        ) as cheapest_frequency,
        min(total_usd) as cheapest_usd,
    from full_month
    where check_frequency in ('daily', 'business_daily', 'weekly')
    group by account, enterprise_id
),

final as (
    select
        current_frequency.account,
        current_frequency.enterprise_id,
        coalesce(names.enterprise_name, current_frequency.enterprise_id) as enterprise_name,
        current_frequency.month,
        current_frequency.monitored_numbers,
        current_frequency.check_frequency as current_frequency,
        current_frequency.total_usd as current_usd,
        case when current_frequency.check_frequency <> 'never'
            then weekly_or_better.cheapest_frequency end as cheapest_frequency,
        case when current_frequency.check_frequency <> 'never'
            then weekly_or_better.cheapest_usd end as cheapest_usd,
        case when current_frequency.check_frequency <> 'never'
            then round(current_frequency.total_usd - weekly_or_better.cheapest_usd, 2)
        end as saving_usd,
    from current_frequency
    left join weekly_or_better
        on weekly_or_better.account = current_frequency.account
        and weekly_or_better.enterprise_id = current_frequency.enterprise_id
    left join dim_enterprises as names
        on names.account = current_frequency.account
        and names.enterprise_id = current_frequency.enterprise_id
    order by saving_usd desc nulls last, current_frequency.enterprise_id, current_frequency.account
)

select * from final
