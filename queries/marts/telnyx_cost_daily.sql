-- telnyx_cost_daily
-- purpose: Telnyx Number Reputation cost per enterprise and UTC day, as observed, with what a
--   projection made on that day expects for the rest of its month and the month after. Summed over
--   a month's days it gives the observed rows of telnyx_cost_monthly; the weekly report sums the
--   days up to the report week's end, so a past week's figures never change when later data arrives.
-- grain: account x day x enterprise (days with a successful Telnyx run, or a remediation request created)
-- since_column: day
-- key: account, day, enterprise_id
-- materialized: view
-- columns:
--   account: the Telnyx account billed, as named in callrep.toml (default: the single account)
--   day: the UTC day
--   month: first day of the day's calendar month
--   enterprise_id: the Telnyx enterprise
--   run_id: the day's latest successful Telnyx run of the account; null on a day with a remediation request but no run
--   status: the enterprise's reputation status in that run (null without a run)
--   check_frequency: the check_frequency in that run, null read as the documented default business_daily (null without a run)
--   monitored_numbers: numbers of the enterprise in that run (0 without a run)
--   base_usd: telnyx_base_usd on the month's first day whose status read approved, else 0 (the month's base fee, charged once)
--   checks: the day's scheduled auto-refreshes: one per monitored number when the day is a check day of its frequency (see telnyx_cost_monthly.checks)
--   checks_usd: checks times telnyx_check_usd
--   remediation_numbers: phone_numbers_submitted summed over the enterprise's remediation requests created on the day (UTC)
--   remediation_usd: remediation_numbers times telnyx_remediation_usd
--   total_usd: base_usd + checks_usd + remediation_usd
--   rest_of_month_checks: checks due after the day to the month's end at the day's fleet and frequency
--   rest_of_month_checks_usd: rest_of_month_checks times telnyx_check_usd
--   next_month_base_usd: telnyx_base_usd when the day's status is approved (the next month's base fee at the day's state), else 0
--   next_month_checks_usd: the next calendar month's checks at the day's fleet and frequency, times telnyx_check_usd

with

days as (
    select * from int_cost_telnyx_days
),

final as (
    select * from days
)

select * from final
