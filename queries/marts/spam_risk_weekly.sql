-- spam_risk_weekly
-- purpose: the weekly picture per enterprise: numbers monitored and numbers high at the week's
--   last observed day, numbers that became high during the week (including numbers first seen
--   high) and numbers that stopped being high.
-- grain: ISO week x enterprise (of one account)
-- since_column: iso_week
-- key: account, iso_week, enterprise_id
-- materialized: incremental
-- incremental_on: week_start
-- incremental_grain: week
-- columns:
--   account: the Telnyx account, as named in callrep.toml (default: the single account)
--   iso_week: ISO 8601 week of the observations, e.g. 2026-W45
--   week_start: Monday (UTC) that starts the ISO week
--   enterprise_id: Telnyx enterprise
--   last_observed_on: the week's last day with an observation of this enterprise
--   numbers_monitored: distinct numbers observed on last_observed_on
--   numbers_high: of those, numbers whose risk was high on last_observed_on
--   newly_high: distinct numbers whose risk became high during the week (first seen high counts)
--   cleared: distinct numbers whose risk went from high to anything else during the week

with number_days as (
    select * from int_telnyx_number_days
),

events as (
    select * from int_telnyx_number_events
),

enterprises as (
    select * from int_telnyx_enterprise_days
),

week_days as (
    select
        enterprise_key,
        observed_on,
        date_trunc('week', observed_on) as week_start,
        count(*) as numbers_monitored,
        count(*) filter (where risk_code = 3) as numbers_high,
    from number_days
    where observed_on >= getvariable('callrep_since')
    group by all
),

week_end as (
    select
        week_start,
        enterprise_key,
        arg_max(observed_on, observed_on) as last_observed_on,
        arg_max(numbers_monitored, observed_on) as numbers_monitored,
        arg_max(numbers_high, observed_on) as numbers_high,
    from week_days
    group by all
),

week_events as (
    select
        date_trunc('week', observed_on) as week_start,
        enterprise_key,
        count(distinct phone_key) filter (
            where risk_code = 3 and (prev_risk_code is null or prev_risk_code <> 3)
        ) as newly_high,
        count(distinct phone_key) filter (where prev_risk_code = 3 and risk_code <> 3) as cleared,
    from events
    where observed_on >= getvariable('callrep_since')
    group by all
),

enterprise_ids as (
    select distinct enterprise_key, account, enterprise_id from enterprises
),

final as (
    select
        i.account,
        strftime(w.week_start, '%G-W%V') as iso_week,
        cast(w.week_start as date) as week_start,
        i.enterprise_id,
        w.last_observed_on,
        w.numbers_monitored,
        w.numbers_high,
        coalesce(v.newly_high, 0) as newly_high,
        coalesce(v.cleared, 0) as cleared,
    from week_end as w
    join enterprise_ids as i on i.enterprise_key = w.enterprise_key
    left join week_events as v on v.week_start = w.week_start and v.enterprise_key = w.enterprise_key
)

select * from final
