-- report_overview
-- purpose: number_overview as of the report week's end (int_number_overview_weeks, filtered to
--   the week by a constant so only the week's two runs are read): risk and scores next to the
--   Plivo carrier status, with the models' flags registered_but_high, not_monitored and stale.
-- grain: account x phone number
-- key: account, phone_number
-- parameters: $week_start (the report week's Monday)
create or replace temp table report_overview as
select * from int_number_overview_weeks
where week_start = $week_start
