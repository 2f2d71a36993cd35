-- telnyx_cost_what_if
-- purpose: the projected months of telnyx_cost_monthly recomputed at every check_frequency (same fleet,
--   status and prices), to compare the current schedule with the others.
-- grain: account x month x enterprise x check_frequency
-- since_column: month
-- key: account, month, enterprise_id, check_frequency
-- materialized: table
-- columns:
--   account: the Telnyx account billed, as named in callrep.toml (default: the single account)
--   month: first day of the projected month (UTC); the latest snapshot's month covers only the days after the latest snapshot's day
--   enterprise_id: the Telnyx enterprise
--   check_frequency: the frequency this row assumes (business_daily, daily, weekly, biweekly, monthly, never, or the current one if undocumented)
--   is_current_frequency: this row is the enterprise's current frequency (it equals the projected row of telnyx_cost_monthly)
--   monitored_numbers: monitored numbers at the latest run
--   days: days projected in the month
--   is_full_month: the whole month is projected (every month after the latest snapshot's)
--   base_usd: as in telnyx_cost_monthly (the frequency does not change it)
--   checks: scheduled auto-refreshes at this frequency
--   checks_usd: checks times telnyx_check_usd
--   total_usd: base_usd + checks_usd (projections carry no remediation)
--   difference_usd: total_usd minus the total at the current frequency (negative: cheaper)

with

projection as (
    select * from int_cost_telnyx_projection
),

totals as (
    select
        account,
        month,
        enterprise_id,
        check_frequency,
        is_current_frequency,
        monitored_numbers,
        days,
        is_full_month,
        base_usd::double as base_usd,
        checks::bigint as checks,
        checks_usd,
        round(base_usd + checks_usd, 6) as total_usd,
    from projection
),

final as (
    select
        *,
        round(
            total_usd - max(total_usd) filter (where is_current_frequency)
                over (partition by account, month, enterprise_id),
            6
        ) as difference_usd,
    from totals
)

select * from final
