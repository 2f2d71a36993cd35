-- headline_cost
-- purpose: the cost tiles per provider, as of the report week (see _stage_cost): month-to-date
--   against the same days of the month before, and the projected week's month against the last
--   full month, with how many days of that month (and of its same days) Telnyx observed.
-- grain: provider
-- key: provider
-- parameters: $week_end
with totals as (
    select
        provider,
        sum(usd) filter (where period = 'to_date') as to_date_usd,
        sum(usd) filter (where period = 'same_days_before') as same_days_before_usd,
        sum(usd) filter (where period in ('to_date', 'projected_rest')) as projected_month_usd,
        sum(usd) filter (where period = 'observed'
            and month = (date_trunc('month', $week_end::date) - interval 1 month)::date)
            as last_month_usd,
    from report_cost
    group by provider
),

telnyx_coverage as (
    -- days of the month before with a Telnyx run: all of them, and its first as many days
    -- as the week's month has had
    select
        'Telnyx' as provider,
        count(distinct day) filter (where run_id is not null) as last_month_days_observed,
        count(distinct day) filter (
            where run_id is not null
                and day - month <= date_diff(
                    'day', date_trunc('month', $week_end::date)::date, $week_end::date
                )
        ) as same_days_observed,
    from telnyx_cost_daily
    where month = (date_trunc('month', $week_end::date) - interval 1 month)::date
),

final as (
    select
        totals.provider,
        coalesce(totals.to_date_usd, 0) as to_date_usd,
        coalesce(totals.same_days_before_usd, 0) as same_days_before_usd,
        coalesce(totals.projected_month_usd, 0) as projected_month_usd,
        coalesce(totals.last_month_usd, 0) as last_month_usd,
        telnyx_coverage.last_month_days_observed,
        telnyx_coverage.same_days_observed,
    from totals
    left join telnyx_coverage on telnyx_coverage.provider = totals.provider
)

select * from final
