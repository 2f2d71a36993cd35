-- action_newly_high
-- order: 1
-- title: Numbers newly high risk
-- description: Risk became high during the week (or the number was first seen high), with its
--   remediation history as of the week's end. Still-high numbers with the lowest scores first.
-- sources: telnyx
-- export: spam_risk_transitions
-- empty: No number became high risk this week.
-- next_step: no longer high at the week's end: none needed; else the number's Telnyx next step
--   (report_remediation_steps: rotate, requests in flight, wait, review, resubmit, or submit for
--   remediation).
-- purpose: numbers whose risk became high during the report week: the models' events
--   (int_telnyx_number_events) that spam_risk_weekly counts as newly_high (a change to high
--   between consecutive observed days, or first seen high), with the number's state at the
--   week's last Telnyx run. Most severe first: still high at the week's end, then the lowest
--   total score.
-- grain: account x enterprise x phone number
-- key: account, enterprise_id, phone_number
-- parameters: $week_start, $week_end (the Monday and Sunday), $telnyx_run_ids (each account's
--   last Telnyx run of the week), $limit (rows shown)
-- columns:
--   phone_number: Number [phone]
--   enterprise_name: Enterprise
--   became_high_on: High since [date]
--   risk_at_week_end: Risk at week end [status]
--   spam_category: Category
--   maturity_score: Maturity [score]
--   connection_score: Connection [score]
--   engagement_score: Engagement [score]
--   sentiment_score: Sentiment [score]
--   times_submitted: Remediations [number]
--   bucket_sequence: Results, oldest first
--   next_step: Next step
with events as (
    select * from int_telnyx_number_events
    where observed_on between $week_start and $week_end
),

enterprises as (
    select distinct enterprise_key, account, enterprise_id from int_telnyx_enterprise_days
    where observed_on between $week_start and $week_end
),

week_end_state as (
    select s.*
    from stg_telnyx__number_snapshots as s
    where s.run_id in (select unnest($telnyx_run_ids)) and s.is_usable
),

flagged as (
    select
        enterprises.account,
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
        f.account,
        f.phone_number,
        f.enterprise_id,
        coalesce(names.enterprise_name, f.enterprise_id) as enterprise_name,
        f.became_high_on,
        coalesce(s.spam_risk, 'not seen') as risk_at_week_end,
        s.spam_category,
        s.maturity_score,
        s.connection_score,
        s.engagement_score,
        s.sentiment_score,
        coalesce(steps.times_submitted, 0) as times_submitted,
        steps.bucket_sequence,
        case
            when s.spam_risk is distinct from 'high'
                then 'no longer high at the week''s end: none needed'
            else coalesce(steps.next_step, 'submit for remediation')
        end as next_step,
        count(*) over () as total_rows,
    from flagged as f
    left join week_end_state as s
        on s.account = f.account
        and s.enterprise_id = f.enterprise_id
        and s.phone_number = f.phone_number
    left join dim_enterprises as names
        on names.account = f.account and names.enterprise_id = f.enterprise_id
    left join report_remediation_steps as steps
        on steps.account = f.account and steps.phone_number = f.phone_number
    order by
        (s.spam_risk = 'high') desc nulls last,
        (
            coalesce(s.maturity_score, 0) + coalesce(s.connection_score, 0)
            + coalesce(s.engagement_score, 0) + coalesce(s.sentiment_score, 0)
        ) asc,
        f.phone_number,
        f.account
    limit $limit
)

select * from final
