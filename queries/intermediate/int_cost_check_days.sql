-- int_cost_check_days
-- purpose: which calendar days (UTC) carry a scheduled Telnyx auto-refresh for each check_frequency:
--   business_daily Monday to Friday (holidays included: Telnyx documents Mon-Fri only), daily every day,
--   weekly every Monday, biweekly every other Monday (the Mondays an even number of weeks after
--   1970-01-05), monthly the 1st, never no day. Covers the first Telnyx collection day to the end of
--   the last projected month.
-- grain: calendar day x check_frequency
-- key: day, check_frequency
-- materialized: table

with

settings as (
    select * from callrep_settings
),

runs as (
    select * from collection_runs
    where source = 'telnyx'
        and status = 'succeeded'
),

frequencies as (
    select * from (
        values
            ('business_daily'),
            ('daily'),
            ('weekly'),
            ('biweekly'),
            ('monthly'),
            ('never')
    ) as frequencies (check_frequency)
),

bounds as (
    select
        min(timezone('UTC', runs.collected_at))::date as first_day,
        (
            date_trunc('month', max(timezone('UTC', runs.collected_at)))
            + to_months(any_value(settings.projection_months) + 1)
        )::date - 1 as last_day,
    from runs
    cross join settings
),

days as (
    select unnest(generate_series(first_day, last_day, interval 1 day))::date as day
    from bounds
    where first_day is not null
),

final as (
    select
        days.day,
        frequencies.check_frequency,
        case frequencies.check_frequency
            when 'business_daily' then isodow(days.day) <= 5
            when 'daily' then true
            when 'weekly' then isodow(days.day) = 1
            when 'biweekly' then isodow(days.day) = 1
                and (days.day - date '1970-01-05') % 14 = 0
            when 'monthly' then day(days.day) = 1
            else false
        end as is_check_day,
    from days
    cross join frequencies
)

select * from final
