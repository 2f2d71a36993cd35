-- report_remediation_history
-- purpose: remediation_number_history_weekly as of the report week, computed once: the mart is
--   a view over int_remediation_number_history (itself a view), and the next-step rule, the
--   verdict and the remediation history table all read the same week of it.
-- grain: account x phone number ever submitted for remediation by the week's end
-- key: account, phone_number
-- parameters: $week (ISO week label)
create or replace temp table report_remediation_history as
select * from remediation_number_history_weekly
where iso_week = $week
