-- verdict
-- purpose: the counts the report's opening sentences state, from the same marts and staged
--   tables as the tiles and action tables: numbers newly high in the week (spam_risk_weekly, as
--   the tile) and the enterprise with the most of them (named by dim_enterprises); numbers whose
--   drift is new (score_drift_onsets, as the drift table); numbers to rotate (the remediation
--   history table's rule); Plivo hidden failures and stuck registrations (as their tables) and
--   at how many carriers the failures are; enterprises with a rejected gate.
-- grain: one row
-- key: none (one row)
-- parameters: $week (ISO week label)
with weekly as (
    select * from spam_risk_weekly
    where iso_week = $week
),

top_enterprise as (
    select weekly.enterprise_id, weekly.newly_high, names.enterprise_name
    from weekly
    left join dim_enterprises as names
        on names.account = weekly.account and names.enterprise_id = weekly.enterprise_id
    where weekly.newly_high > 0
    order by weekly.newly_high desc, names.enterprise_name, weekly.enterprise_id
    limit 1
),

plivo as (
    select * from report_plivo_status
    where period = 'current'
),

final as (
    select
        (select coalesce(sum(newly_high), 0)::bigint from weekly) as newly_high,
        (select coalesce(enterprise_name, enterprise_id) from top_enterprise) as top_enterprise,
        (select newly_high from top_enterprise)::bigint as top_enterprise_newly_high,
        (select count(*) from score_drift_onsets where iso_week = $week) as drift_onsets,
        (
            select count(*) from report_remediation_history
            where recommendation = 'rotate'
        ) as to_rotate,
        (select count(*) from plivo where hidden_failure) as hidden_failures,
        (
            select
                (count(*) filter (where att_status = 'FAILED') > 0)::int
                + (count(*) filter (where tmobile_status = 'FAILED') > 0)::int
            from plivo
            where hidden_failure
        ) as failing_carriers,
        (select count(*) from plivo where stuck_pending) as stuck_pending,
        (
            select count(*) from report_enterprises
            where lower(status) = 'rejected' or lower(loa_status) = 'rejected'
        ) as gates_rejected,
)

select * from final
