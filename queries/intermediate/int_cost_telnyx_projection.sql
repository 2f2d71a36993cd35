-- int_cost_telnyx_projection
-- purpose: projected Telnyx cost at every check_frequency, at the fleet and reputation status of each
--   account's latest successful Telnyx run: the rest of the latest snapshot's month (the days after the latest
--   snapshot's day, base fee already counted as observed) and the projection_months following months.
-- grain: account x month x enterprise x check_frequency
-- key: account, month, enterprise_id, check_frequency
-- materialized: table

with

settings as (
    select * from callrep_settings
),

latest_run as (
    -- each account's latest successful Telnyx run
    select * from stg_telnyx__runs
    qualify row_number() over (partition by account order by collected_at desc, run_id desc) = 1
),

enterprise_days as (
    select * from int_cost_telnyx_enterprise_days
),

check_days as (
    select * from int_cost_check_days
),

now_day as (
    select
        account,
        timezone('UTC', collected_at)::date as latest_day,
        date_trunc('month', timezone('UTC', collected_at))::date as latest_month,
        run_id,
    from latest_run
),

current_fleet as (
    select
        enterprise_days.account,
        enterprise_days.enterprise_id,
        enterprise_days.status,
        enterprise_days.check_frequency as current_frequency,
        enterprise_days.monitored_numbers,
    from enterprise_days
    inner join now_day on now_day.run_id = enterprise_days.run_id
),

projected_days as (
    select
        now_day.account,
        check_days.day,
        date_trunc('month', check_days.day)::date as month,
        check_days.check_frequency,
        check_days.is_check_day,
        date_trunc('month', check_days.day)::date > now_day.latest_month as is_full_month,
    from check_days
    cross join now_day
    cross join settings
    where check_days.day > now_day.latest_day
        and check_days.day < now_day.latest_month + to_months(settings.projection_months + 1)
),

months as (
    select
        account,
        month,
        bool_or(is_full_month) as is_full_month,
        count(distinct day) as days,
    from projected_days
    group by account, month
),

month_check_days as (
    select
        account,
        month,
        check_frequency,
        count(*) filter (where is_check_day) as check_days,
    from projected_days
    group by account, month, check_frequency
),

enterprise_frequencies as (
    -- every documented frequency, plus the current one when it is not documented (it counts no checks)
    select
        current_fleet.*,
        frequencies.check_frequency,
    from current_fleet
    cross join (select distinct check_frequency from check_days) as frequencies
    union
    select
        current_fleet.*,
        current_fleet.current_frequency as check_frequency,
    from current_fleet
),

final as (
    select
        months.account,
        months.month,
        enterprise_frequencies.enterprise_id,
        enterprise_frequencies.check_frequency,
        enterprise_frequencies.check_frequency = enterprise_frequencies.current_frequency
            as is_current_frequency,
        enterprise_frequencies.status,
        enterprise_frequencies.monitored_numbers,
        months.days,
        months.is_full_month,
        case
            when months.is_full_month and enterprise_frequencies.status = 'approved'
                then settings.telnyx_base_usd
            else 0
        end as base_usd,
        coalesce(month_check_days.check_days, 0) * enterprise_frequencies.monitored_numbers
            as checks,
        round(
            coalesce(month_check_days.check_days, 0)
            * enterprise_frequencies.monitored_numbers
            * settings.telnyx_check_usd,
            6
        ) as checks_usd,
    from months
    inner join enterprise_frequencies on enterprise_frequencies.account = months.account
    cross join settings
    left join month_check_days
        on month_check_days.account = months.account
        and month_check_days.month = months.month
        and month_check_days.check_frequency = enterprise_frequencies.check_frequency
)

select * from final
