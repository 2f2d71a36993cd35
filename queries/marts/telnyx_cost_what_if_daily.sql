-- telnyx_cost_what_if_daily
-- purpose: what each observed day's Telnyx state (fleet, status) would cost in the following calendar
--   month at every check_frequency, with the same prices: telnyx_cost_what_if as a projection made on
--   that day. The weekly report reads the day of the week's last collection, so a past week's what-if
--   never changes when later data arrives.
-- grain: account x observed day x enterprise x check_frequency (days with a successful Telnyx run)
-- since_column: day
-- key: account, day, enterprise_id, check_frequency
-- materialized: table
-- columns:
--   account: the Telnyx account billed, as named in callrep.toml (default: the single account)
--   day: the UTC day of the state (a day with a successful Telnyx run)
--   run_id: the day's latest successful Telnyx run (the state)
--   month: first day of the projected month: the calendar month after the day's
--   enterprise_id: the Telnyx enterprise
--   check_frequency: the frequency this row assumes (business_daily, daily, weekly, biweekly, monthly, never, or the current one if undocumented)
--   is_current_frequency: this row is the enterprise's frequency on the day
--   monitored_numbers: monitored numbers on the day
--   base_usd: telnyx_base_usd when the day's reputation status is approved, else 0 (the frequency does not change it)
--   checks: the month's scheduled auto-refreshes at this frequency, one per monitored number per check day
--   checks_usd: checks times telnyx_check_usd
--   total_usd: base_usd + checks_usd (projections carry no remediation)
--   difference_usd: total_usd minus the total at the current frequency (negative: cheaper)

with

settings as (
    select * from callrep_settings
),

telnyx_days as (
    select * from int_cost_telnyx_days
    where run_id is not null
),

check_days as (
    select * from int_cost_check_days
),

month_check_days as (
    select
        date_trunc('month', day)::date as month,
        check_frequency,
        count(*) filter (where is_check_day) as check_days,
    from check_days
    group by month, check_frequency
),

day_frequencies as (
    -- every documented frequency, plus the current one when it is not documented (no checks)
    select
        telnyx_days.*,
        frequencies.check_frequency as assumed_frequency,
    from telnyx_days
    cross join (select distinct check_frequency from check_days) as frequencies
    union
    select
        telnyx_days.*,
        telnyx_days.check_frequency as assumed_frequency,
    from telnyx_days
),

priced as (
    select
        day_frequencies.account,
        day_frequencies.day,
        day_frequencies.run_id,
        (day_frequencies.month + interval 1 month)::date as month,
        day_frequencies.enterprise_id,
        day_frequencies.assumed_frequency as check_frequency,
        day_frequencies.assumed_frequency = day_frequencies.check_frequency
            as is_current_frequency,
        day_frequencies.monitored_numbers,
        case when day_frequencies.status = 'approved' then settings.telnyx_base_usd else 0 end::double
            as base_usd,
        (coalesce(month_check_days.check_days, 0) * day_frequencies.monitored_numbers)::bigint
            as checks,
    from day_frequencies
    cross join settings
    left join month_check_days
        on month_check_days.month = day_frequencies.month + interval 1 month
        and month_check_days.check_frequency = day_frequencies.assumed_frequency
),

totals as (
    select
        priced.*,
        round(priced.checks * settings.telnyx_check_usd, 6) as checks_usd,
        round(priced.base_usd + priced.checks * settings.telnyx_check_usd, 6) as total_usd,
    from priced
    cross join settings
),

final as (
    select
        *,
        round(
            total_usd - max(total_usd) filter (where is_current_frequency)
                over (partition by account, day, enterprise_id),
            6
        ) as difference_usd,
    from totals
)

select * from final
