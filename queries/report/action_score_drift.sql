-- action_score_drift
-- order: 2
-- title: Score-drift early warnings
-- description: Still low or medium, but a score fell 15 points or more against an observation
--   at least 7 days earlier, and the number had no such drop in the 7 days before the week (new
--   this week). One row per number. Labels trail behaviour: act before the flag.
-- sources: telnyx
-- export: score_drift
-- empty: No number started to drift this week.
-- next_step: the drift rule of report_remediation_steps (drift_next_step): rotate when its
--   remediation history says so; else "check the number's recent calls before Telnyx flags it"
--   (remediation is for flagged numbers).
-- purpose: the week's rows of score_drift_onsets (the one rule for new drift, shared with the
--   alerts), with names and next steps. Most severe first: the worst drop, then the lowest value.
-- grain: account x phone number
-- key: account, phone_number
-- parameters: $week, $limit
-- columns:
--   phone_number: Number [phone]
--   enterprise_name: Enterprise
--   scores_fell: Scores that fell
--   worst_score: Worst
--   worst_value_before: Before [score]
--   worst_value_now: Now [score]
--   worst_drop: Drop [number]
--   last_drift_on: Seen on [date]
--   next_step: Next step
with drift as (
    select * from score_drift_onsets
    where iso_week = $week
),

final as (
    select
        drift.account,
        drift.phone_number,
        drift.enterprise_id,
        coalesce(names.enterprise_name, drift.enterprise_id) as enterprise_name,
        drift.scores_fell,
        drift.worst_score,
        drift.worst_value_before,
        drift.worst_value_now,
        drift.worst_drop,
        drift.last_drift_on,
        steps.drift_next_step as next_step,
        count(*) over () as total_rows,
    from drift
    left join dim_enterprises as names
        on names.account = drift.account and names.enterprise_id = drift.enterprise_id
    left join report_remediation_steps as steps
        on steps.account = drift.account and steps.phone_number = drift.phone_number
    order by drift.worst_drop desc, drift.worst_value_now asc, drift.phone_number, drift.account
    limit $limit
)

select * from final
