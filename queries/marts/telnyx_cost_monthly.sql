-- telnyx_cost_monthly
-- purpose: Telnyx Number Reputation cost per enterprise and month, observed and projected: the monthly
--   base fee, scheduled auto-refresh checks per monitored number, and remediation per submitted number.
--   Prices from callrep_settings. Observed months count only observed days (each day as its latest
--   successful run saw it; days without a run add nothing). Projected rows hold the rest of the latest
--   snapshot's month and the projection_months following months at the fleet, frequency and status of
--   the latest run. Each account has its own rows, up to its own latest snapshot. Observed rows sum telnyx_cost_daily's days of the month.
-- grain: account x month x enterprise x kind
-- since_column: month
-- key: account, month, enterprise_id, kind
-- materialized: table
-- columns:
--   account: the Telnyx account billed, as named in callrep.toml (default: the single account)
--   month: first day of the calendar month (UTC)
--   enterprise_id: the Telnyx enterprise
--   kind: observed (months from the enterprise's first observation or remediation request up to and including the latest Telnyx snapshot's month) or projected (the days after the latest snapshot's day in its month, then the projection_months following months)
--   check_frequency: the check_frequency in force (observed: on the month's last observed day; projected: at the latest run); null read as the documented default business_daily
--   monitored_numbers: monitored numbers (observed: on the month's last observed day; projected: at the latest run)
--   days: days counted (observed: days with a successful run; projected: days projected)
--   base_usd: telnyx_base_usd when the reputation status read approved on an observed day of the month (projected: approved at the latest run, full months only; the latest month's base is in its observed row)
--   checks: scheduled auto-refreshes, summed over the counted days: on each day that is a check day of the day's frequency (business_daily Mon-Fri, daily every day, weekly Mondays, biweekly every other Monday from 1970-01-05, monthly the 1st, never none), one per monitored number
--   checks_usd: checks times telnyx_check_usd
--   remediation_numbers: phone_numbers_submitted summed over the remediation requests created in the month (UTC); 0 for projected rows
--   remediation_usd: remediation_numbers times telnyx_remediation_usd
--   total_usd: base_usd + checks_usd + remediation_usd

with

settings as (
    select * from callrep_settings
),

latest_run as (
    -- each account's latest successful Telnyx run
    select * from stg_telnyx__runs
    qualify row_number() over (partition by account order by collected_at desc, run_id desc) = 1
),

telnyx_days as (
    select * from int_cost_telnyx_days
),

projection as (
    select * from int_cost_telnyx_projection
),

now_month as (
    select account, date_trunc('month', timezone('UTC', collected_at))::date as latest_month,
    from latest_run
),

observed_months as (
    select
        account,
        month,
        enterprise_id,
        arg_max(check_frequency, day) filter (where run_id is not null) as check_frequency,
        arg_max(monitored_numbers, day) filter (where run_id is not null) as monitored_numbers,
        count(run_id) as days,
        max(base_usd) as base_usd,
        sum(checks) as checks,
        sum(remediation_numbers) as remediation_numbers,
    from telnyx_days
    group by account, month, enterprise_id
),

enterprise_first_month as (
    select
        account,
        enterprise_id,
        min(month) as first_month,
    from observed_months
    group by account, enterprise_id
),

month_grid as (
    select
        enterprise_first_month.account,
        enterprise_first_month.enterprise_id,
        unnest(generate_series(
            enterprise_first_month.first_month, now_month.latest_month, interval 1 month
        ))::date as month,
    from enterprise_first_month
    inner join now_month on now_month.account = enterprise_first_month.account
),

observed as (
    select
        month_grid.account,
        month_grid.month,
        month_grid.enterprise_id,
        'observed' as kind,
        observed_months.check_frequency,
        coalesce(observed_months.monitored_numbers, 0) as monitored_numbers,
        coalesce(observed_months.days, 0) as days,
        coalesce(observed_months.base_usd, 0) as base_usd,
        coalesce(observed_months.checks, 0) as checks,
        coalesce(observed_months.remediation_numbers, 0) as remediation_numbers,
    from month_grid
    left join observed_months
        on observed_months.account = month_grid.account
        and observed_months.month = month_grid.month
        and observed_months.enterprise_id = month_grid.enterprise_id
),

projected as (
    select
        account,
        month,
        enterprise_id,
        'projected' as kind,
        check_frequency,
        monitored_numbers,
        days,
        base_usd,
        checks,
        0 as remediation_numbers,
    from projection
    where is_current_frequency
),

combined as (
    select * from observed
    union all
    select * from projected
),

priced as (
    select
        combined.account,
        combined.month,
        combined.enterprise_id,
        combined.kind,
        combined.check_frequency,
        combined.monitored_numbers,
        combined.days,
        combined.base_usd::double as base_usd,
        combined.checks::bigint as checks,
        round(combined.checks * settings.telnyx_check_usd, 6) as checks_usd,
        combined.remediation_numbers::bigint as remediation_numbers,
        round(combined.remediation_numbers * settings.telnyx_remediation_usd, 6)
            as remediation_usd,
    from combined
    cross join settings
),

final as (
    select
        *,
        round(base_usd + checks_usd + remediation_usd, 6) as total_usd,
    from priced
)

select * from final
