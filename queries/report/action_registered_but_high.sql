-- action_registered_but_high
-- order: 8
-- title: Registered with a carrier yet high risk
-- description: AT&T or T-Mobile shows the number ACTIVE on Plivo while Telnyx rates it high
--   risk: calls carry a registered identity with a spam reputation.
-- sources: telnyx, plivo
-- export: number_overview
-- empty: No carrier-registered number is high risk.
-- next_step: the number's Telnyx next step (report_remediation_steps).
-- purpose: numbers number_overview flags registered_but_high (a carrier ACTIVE on Plivo yet high
--   risk on Telnyx) as of the report week's end (int_number_overview_weeks). Most severe first:
--   both carriers active, then the lowest total score.
-- grain: account x phone number
-- key: account, phone_number
-- parameters: $telnyx_run_ids (each account's last Telnyx run of the week), $limit
-- alert: registered-but-high
-- alert_subject: account, phone_number
-- alert_label: phone_number
-- columns:
--   phone_number: Number [phone]
--   enterprise_name: Enterprise
--   spam_category: Category
--   att_status: AT&T [status]
--   tmobile_status: T-Mobile [status]
--   engagement_score: Engagement [score]
--   sentiment_score: Sentiment [score]
--   ein: EIN
--   next_step: Next step
with overview as (
    select * from report_overview
    where registered_but_high
),

categories as (
    select s.account, s.enterprise_id, s.phone_number, s.spam_category
    from stg_telnyx__number_snapshots as s
    where s.run_id in (select unnest($telnyx_run_ids))
),

final as (
    select
        overview.account,
        overview.phone_number,
        overview.telnyx_enterprise_id as enterprise_id,
        coalesce(names.enterprise_name, overview.telnyx_enterprise_id) as enterprise_name,
        categories.spam_category,
        maturity_score,
        connection_score,
        engagement_score,
        sentiment_score,
        att_status,
        tmobile_status,
        ein,
        coalesce(steps.next_step, 'submit for remediation') as next_step,
        count(*) over () as total_rows,
    from overview
    left join categories
        on categories.account = overview.account
        and categories.enterprise_id = overview.telnyx_enterprise_id
        and categories.phone_number = overview.phone_number
    left join dim_enterprises as names
        on names.account = overview.account
        and names.enterprise_id = overview.telnyx_enterprise_id
    left join report_remediation_steps as steps
        on steps.account = overview.account and steps.phone_number = overview.phone_number
    order by
        (att_status = 'ACTIVE' and tmobile_status = 'ACTIVE') desc,
        (
            coalesce(maturity_score, 0) + coalesce(connection_score, 0)
            + coalesce(engagement_score, 0) + coalesce(sentiment_score, 0)
        ) asc,
        overview.phone_number,
        overview.account
    limit $limit
)

select * from final
