-- int_number_overview_flags
-- purpose: the rules that flag a number for action, stated once: registered_but_high (a Plivo
--   carrier is ACTIVE yet Telnyx rates the number high risk), not_monitored (a Plivo number or
--   verified caller ID that Telnyx does not monitor) and stale (Telnyx monitors it but has not
--   refreshed it for more than 7 days before the Telnyx collection, or never). Applied to the
--   latest snapshots (scope 'latest', read by number_overview) and to every ISO week's last
--   snapshots (scope 'week', read through int_number_overview_weeks). A view: a reader's
--   constant filter on scope drops the other branch, and one on week_start reaches the runs.
-- grain: scope x ISO week (null for scope 'latest') x account x phone number
-- key: scope, week_start, account, phone_number
-- materialized: view

with

latest as (
    select 'latest' as scope, * from int_number_overview_latest_facts
),

weeks as (
    select 'week' as scope, * from int_number_overview_week_facts
),

facts as (
    select * from weeks
    union all by name
    select * from latest
),

final as (
    select
        *,
        coalesce('ACTIVE' in (att_status, tmobile_status) and spam_risk = 'high', false)
            as registered_but_high,
        (in_plivo or is_verified_caller_id) and not in_telnyx as not_monitored,
        in_telnyx and (
            last_refreshed_at is null
            or last_refreshed_at < telnyx_collected_at - interval 7 day
        ) as stale,
    from facts
)

select * from final
