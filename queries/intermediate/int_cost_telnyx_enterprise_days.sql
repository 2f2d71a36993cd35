-- int_cost_telnyx_enterprise_days
-- purpose: each enterprise on each observed day (UTC) as its account's latest successful Telnyx run of
--   the day saw it:
--   reputation status, check_frequency (null read as the documented default business_daily) and the
--   monitored numbers (every number row of the run, flagged ones included: each is refreshed and
--   billed). Days without a successful run are absent (gaps are never carried forward).
-- grain: account x observed day x enterprise
-- key: account, day, enterprise_id
-- materialized: incremental
-- incremental_on: day

with

runs as (
    select * from stg_telnyx__runs
),

enterprises as (
    select * from stg_telnyx__enterprise_snapshots
),

numbers as (
    select * from stg_telnyx__number_snapshots
),

day_runs as (
    select
        run_id,
        account,
        observed_on as day,
    from runs
    where is_latest_of_day and observed_on >= getvariable('callrep_since')
),

fleet as (
    select
        run_id,
        enterprise_id,
        count(*) as monitored_numbers,
    from numbers
    where is_latest_of_day and observed_on >= getvariable('callrep_since')
    group by run_id, enterprise_id
),

settings_seen as (
    select
        run_id,
        enterprise_id,
        any_value(status) as status,
        any_value(check_frequency) as check_frequency,
    from enterprises
    where is_latest_of_day and observed_on >= getvariable('callrep_since')
    group by run_id, enterprise_id
),

joined as (
    select
        coalesce(settings_seen.run_id, fleet.run_id) as run_id,
        coalesce(settings_seen.enterprise_id, fleet.enterprise_id) as enterprise_id,
        settings_seen.status,
        settings_seen.check_frequency,
        coalesce(fleet.monitored_numbers, 0) as monitored_numbers,
    from settings_seen
    full outer join fleet
        on fleet.run_id = settings_seen.run_id
        and fleet.enterprise_id = settings_seen.enterprise_id
),

final as (
    select
        day_runs.account,
        day_runs.day,
        joined.enterprise_id,
        joined.run_id,
        joined.status,
        coalesce(joined.check_frequency, 'business_daily') as check_frequency,
        joined.monitored_numbers,
    from joined
    inner join day_runs on day_runs.run_id = joined.run_id
)

select * from final
