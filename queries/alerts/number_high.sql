-- number_high
-- alert: number-high
-- order: 1
-- title: Numbers high risk
-- sources: telnyx
-- next_step: the number's Telnyx next step (report_remediation_steps: rotate, requests in
--   flight, wait, review, resubmit, or submit for remediation).
-- purpose: every Telnyx number whose risk is high at the latest Telnyx collection (the report's
--   number_overview as of the week, report_overview). The report's "newly high" numbers are the
--   openings of these episodes; the episode lasts as long as the number stays high.
-- grain: account x phone number
-- key: account, phone_number
-- alert_subject: account, phone_number
-- alert_label: phone_number
-- parameters: none (reads the report's staged tables)
with overview as (
    select * from report_overview
    where in_telnyx and spam_risk = 'high'
),

final as (
    select
        overview.account,
        overview.phone_number,
        overview.telnyx_enterprise_id as enterprise_id,
        coalesce(names.enterprise_name, overview.telnyx_enterprise_id) as enterprise_name,
        overview.maturity_score,
        overview.connection_score,
        overview.engagement_score,
        overview.sentiment_score,
        steps.next_step,
    from overview
    left join dim_enterprises as names
        on names.account = overview.account
        and names.enterprise_id = overview.telnyx_enterprise_id
    left join report_remediation_steps as steps
        on steps.account = overview.account and steps.phone_number = overview.phone_number
    order by overview.phone_number, overview.account
)

select * from final
