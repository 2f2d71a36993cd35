-- action_newly_high
-- purpose: numbers whose risk became high during the report week: the models' events
--   (int_telnyx_number_events) that spam_risk_weekly counts as newly_high (a change to high
--   between consecutive observed days, or first seen high), with the number's state at the
--   week's last Telnyx run. Most severe first: still high at the week's end, then the lowest
--   total score.
-- grain: enterprise x phone number
-- key: enterprise_id, phone_number
-- parameters: $week_start, $week_end (the Monday and Sunday), $telnyx_run_id (the week's
--   last Telnyx run), $limit (rows shown)
with events as (
    select * from int_telnyx_number_events
    where observed_on between $week_start and $week_end
),

enterprises as (
    select distinct enterprise_key, enterprise_id from int_telnyx_enterprise_days
    where observed_on between $week_start and $week_end
),

week_end_state as (
    select s.*
    from stg_telnyx__number_snapshots as s
    where s.run_id = $telnyx_run_id and s.is_usable
),

flagged as (
    select
        enterprises.enterprise_id,
        '+' || events.phone_key as phone_number,
        max(events.observed_on) as became_high_on,
    from events
    inner join enterprises on enterprises.enterprise_key = events.enterprise_key
    where events.risk_code = 3 and (events.prev_risk_code is null or events.prev_risk_code <> 3)
    group by all
),

final as (
    select
        f.phone_number,
        f.enterprise_id,
        coalesce(names.doing_business_as, names.legal_name, f.enterprise_id) as enterprise_name,
        f.became_high_on,
        coalesce(s.spam_risk, 'not seen') as risk_at_week_end,
        s.spam_category,
        s.maturity_score,
        s.connection_score,
        s.engagement_score,
        s.sentiment_score,
        count(*) over () as total_rows,
    from flagged as f
    left join week_end_state as s
        on s.enterprise_id = f.enterprise_id
        and s.phone_number = f.phone_number
    left join report_enterprises as names on names.enterprise_id = f.enterprise_id
    order by
        (s.spam_risk = 'high') desc nulls last,
        (
            coalesce(s.maturity_score, 0) + coalesce(s.connection_score, 0)
            + coalesce(s.engagement_score, 0) + coalesce(s.sentiment_score, 0)
        ) asc,
        f.phone_number
    limit $limit
)

select * from final
