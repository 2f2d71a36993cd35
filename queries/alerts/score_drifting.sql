-- score_drifting
-- alert: score-drift
-- order: 2
-- title: Numbers whose scores drift
-- sources: telnyx
-- next_step: the drift rule of report_remediation_steps (drift_next_step), as in the report's
--   drift table: rotate when its history says so, else check the number's recent calls.
-- purpose: Telnyx numbers still low or medium at the latest Telnyx collection, with a score_drift row (the one drift
--   rule, int_score_drift) in the 7 days up to that collection's day. An episode opens at the
--   drift's onset, as score_drift_onsets defines it (a drift row with none in the 7 days before),
--   and lasts while the drift goes on, so a week's end never resolves a drift that continues.
-- grain: account x phone number
-- key: account, phone_number
-- alert_subject: account, phone_number
-- alert_label: phone_number
-- parameters: none (reads the report's staged tables)
with overview as (
    select * from report_overview
    where in_telnyx and spam_risk in ('low', 'medium')
),

drift as (
    select score_drift.*
    from score_drift
    inner join overview
        on overview.account = score_drift.account
        and overview.phone_number = score_drift.phone_number
    where score_drift.observed_on
        > timezone('UTC', overview.telnyx_collected_at)::date - 7
),

per_number as (
    select
        account,
        phone_number,
        min(observed_on) as drifting_since,
        arg_max(score, (points_dropped, observed_on)) as worst_score,
        max(points_dropped) as worst_drop,
    from drift
    group by account, phone_number
),

final as (
    select
        per_number.*,
        overview.telnyx_enterprise_id as enterprise_id,
        steps.drift_next_step as next_step,
    from per_number
    inner join overview
        on overview.account = per_number.account and overview.phone_number = per_number.phone_number
    left join report_remediation_steps as steps
        on steps.account = per_number.account and steps.phone_number = per_number.phone_number
    order by per_number.phone_number, per_number.account
)

select * from final
