-- report_cost
-- purpose: cost as of the report week, in parts, for the cost tiles, breakdown and chart: per
--   provider, payer (Telnyx enterprise, Plivo EIN), component (Telnyx base fee, checks,
--   remediation; Plivo registrations) and month, from the 12 months before the week's month to it.
--   Only what was known at the week's end counts: Telnyx days up to the week's Sunday; Plivo
--   registrations approved by the week's last Plivo collection, with the ends it had seen, and
--   charge moments before the week's end. The week's month is projected from the state at the
--   week's last collection of each source (not the latest snapshot).
-- grain: provider x account x payer x component x month x period
-- key: provider, account, payer, component, month, period
-- parameters: $week_end (the report week's Sunday), $as_of (the exclusive end of the week, UTC)
--   period: observed (a whole month before the week's month), to_date (the week's month up to
--   the week's end), same_days_before (the month before, its first as many days), projected_rest
--   (the week's month after its last collection, at that collection's state)
create or replace temp table report_cost as
with bounds as (
    select
        date_trunc('month', $week_end::date)::date as month_start,
        (date_trunc('month', $week_end::date) - interval 1 month)::date as previous_start,
        least(
            (date_trunc('month', $week_end::date) - interval 1 month)::date
            + date_diff('day', date_trunc('month', $week_end::date)::date, $week_end::date)::integer,
            date_trunc('month', $week_end::date)::date - 1
        ) as previous_same_day,
        (date_trunc('month', $week_end::date) - interval 12 month)::date as first_month,
),

last_runs as (
    -- each account's last collection of the week, per source
    select source, account, run_id, collected_at
    from report_runs
    where period = 'current'
),

telnyx_days as (
    select telnyx_cost_daily.*
    from telnyx_cost_daily
    cross join bounds
    where telnyx_cost_daily.day <= $week_end::date
        and telnyx_cost_daily.month >= bounds.first_month
),

telnyx_components as (
    select account, day, month, enterprise_id, 'base fee' as component, base_usd as usd,
    from telnyx_days
    union all
    select account, day, month, enterprise_id, 'checks', checks_usd from telnyx_days
    union all
    select account, day, month, enterprise_id, 'remediation', remediation_usd from telnyx_days
),

telnyx_observed as (
    select
        'Telnyx' as provider,
        telnyx_components.account,
        telnyx_components.enterprise_id as payer,
        telnyx_components.component,
        telnyx_components.month,
        period.name as period,
        sum(telnyx_components.usd) as usd,
    from telnyx_components
    cross join bounds
    cross join (values ('observed'), ('to_date'), ('same_days_before')) as period (name)
    where (period.name = 'observed' and telnyx_components.month < bounds.month_start)
        or (period.name = 'to_date' and telnyx_components.month = bounds.month_start)
        or (period.name = 'same_days_before'
            and telnyx_components.month = bounds.previous_start
            and telnyx_components.day <= bounds.previous_same_day)
    group by all
),

telnyx_state as (
    -- the week's last Telnyx collection: the rest of its month, or the month after when the
    -- week's month has no collection yet
    select telnyx_cost_daily.*
    from telnyx_cost_daily
    inner join last_runs
        on last_runs.source = 'telnyx'
        and last_runs.account = telnyx_cost_daily.account
        and last_runs.run_id = telnyx_cost_daily.run_id
),

telnyx_projected as (
    select 'Telnyx' as provider, account, enterprise_id as payer, 'checks' as component,
        bounds.month_start as month, 'projected_rest' as period,
        case
            when telnyx_state.month = bounds.month_start then rest_of_month_checks_usd
            else next_month_checks_usd
        end as usd,
    from telnyx_state
    cross join bounds
    where telnyx_state.month in (bounds.month_start, bounds.previous_start)
    union all
    select 'Telnyx', account, enterprise_id, 'base fee', bounds.month_start, 'projected_rest',
        next_month_base_usd,
    from telnyx_state
    cross join bounds
    where telnyx_state.month = bounds.previous_start
),

plivo_known as (
    -- registrations the week's last Plivo collection knew, with the ends it had seen
    select plivo_ein_charges.*
    from plivo_ein_charges
    inner join last_runs
        on last_runs.source = 'plivo' and last_runs.account = plivo_ein_charges.account
    cross join bounds
    where plivo_ein_charges.approved_at <= last_runs.collected_at
        and (plivo_ein_charges.ended_at is null
            or plivo_ein_charges.ended_at > last_runs.collected_at
            or plivo_ein_charges.is_charged)
        and plivo_ein_charges.month between bounds.first_month and bounds.month_start
),

plivo_parts as (
    select
        'Plivo' as provider,
        plivo_known.account,
        plivo_known.ein as payer,
        'registrations' as component,
        plivo_known.month,
        case
            when plivo_known.month < bounds.month_start then 'observed'
            when plivo_known.charge_at < $as_of::timestamptz then 'to_date'
            else 'projected_rest'
        end as period,
        count(*) * any_value(settings.plivo_business_usd) as usd,
    from plivo_known
    cross join bounds
    cross join callrep_settings as settings
    group by all
    union all
    select 'Plivo', plivo_known.account, plivo_known.ein, 'registrations', plivo_known.month, 'same_days_before',
        count(*) * any_value(settings.plivo_business_usd),
    from plivo_known
    cross join bounds
    cross join callrep_settings as settings
    where plivo_known.month = bounds.previous_start
        and timezone('UTC', plivo_known.charge_at)::date <= bounds.previous_same_day
    group by all
),

final as (
    select provider, account, payer, component, month, period, round(usd::double, 6) as usd
    from (
        select * from telnyx_observed
        union all
        select * from telnyx_projected
        union all
        select * from plivo_parts
    )
)

select * from final
