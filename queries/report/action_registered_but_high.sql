-- action_registered_but_high
-- purpose: numbers number_overview flags registered_but_high (a carrier ACTIVE on Plivo yet high
--   risk on Telnyx) as of the report week's end (int_number_overview_weeks). Most severe first:
--   both carriers active, then the lowest total score.
-- grain: phone number
-- key: phone_number
-- parameters: $telnyx_run_id (the week's last Telnyx run), $limit
with overview as (
    select * from report_overview
    where registered_but_high
),

categories as (
    select s.enterprise_id, s.phone_number, s.spam_category
    from stg_telnyx__number_snapshots as s
    where s.run_id = $telnyx_run_id
),

final as (
    select
        overview.phone_number,
        overview.telnyx_enterprise_id as enterprise_id,
        coalesce(names.doing_business_as, names.legal_name, overview.telnyx_enterprise_id)
            as enterprise_name,
        categories.spam_category,
        maturity_score,
        connection_score,
        engagement_score,
        sentiment_score,
        att_status,
        tmobile_status,
        ein,
        count(*) over () as total_rows,
    from overview
    left join categories
        on categories.enterprise_id = overview.telnyx_enterprise_id
        and categories.phone_number = overview.phone_number
    left join report_enterprises as names on names.enterprise_id = overview.telnyx_enterprise_id
    order by
        (att_status = 'ACTIVE' and tmobile_status = 'ACTIVE') desc,
        (
            coalesce(maturity_score, 0) + coalesce(connection_score, 0)
            + coalesce(engagement_score, 0) + coalesce(sentiment_score, 0)
        ) asc,
        overview.phone_number
    limit $limit
)

select * from final
