-- plivo_ein_cost_monthly
-- purpose: Plivo Caller Reputation charges per business and month, observed and projected. USD
--   plivo_business_usd per registration per charge, charged on approval, not prorated, recurring
--   monthly while live, nothing refunded on cancellation; a new registration is a new charge, so one
--   month can hold two charges for one EIN. Billing anchor from callrep_settings.plivo_billing_anchor:
--   calendar (default: the approval month, then the 1st of every following month while live) or
--   anniversary (the approval day of month every month, clamped to the month's last day). Observed
--   rows count plivo_ein_charges' moments of the month.
-- grain: EIN x month x kind
-- since_column: month
-- key: ein, month, kind
-- materialized: table
-- columns:
--   ein: the business key (see plivo_ein_registrations)
--   month: first day of the calendar month (UTC)
--   kind: observed (from the business's first charge up to and including the month of the latest Plivo snapshot) or projected (the projection_months months after it)
--   billing_anchor: the billing anchor the charges were computed with (calendar or anniversary)
--   registrations_charged: charges in the month: registrations approved in it, plus registrations still live at their monthly charge moment (the 1st at 00:00 UTC for calendar, the approval day and time for anniversary); a registration ended by the collection that first saw it gone is not charged after that collection; in the latest snapshot's month a live registration is assumed live to the month's end; projected: the registrations live at the latest snapshot
--   charge_usd: registrations_charged times plivo_business_usd
--   charge_usd_if_pending_approved: projected rows only (null for observed): charge_usd plus plivo_business_usd when the business has no live registration but at least one enabled number with a carrier PENDING at the latest snapshot (as if approved before the month's charge)

with

settings as (
    select * from callrep_settings
),

latest_run as (
    select * from stg_callrep__latest_runs where source = 'plivo'
),

registrations as (
    select * from int_plivo_ein_registrations
),

states as (
    select * from int_plivo_number_states
),

now_month as (
    select
        date_trunc('month', timezone('UTC', collected_at))::date as latest_month,
        run_id as latest_run_id,
    from latest_run
),

charges as (
    select * from int_cost_plivo_charges
),

observed_charges as (
    select
        ein,
        month,
        count(*) as registrations_charged,
    from charges
    where is_charged
    group by ein, month
),

observed_grid as (
    select
        ein,
        unnest(generate_series(min(month), any_value(now_month.latest_month), interval 1 month))::date
            as month,
    from observed_charges
    cross join now_month
    group by ein
),

observed as (
    select
        observed_grid.ein,
        observed_grid.month,
        'observed' as kind,
        coalesce(observed_charges.registrations_charged, 0) as registrations_charged,
        null::double as pending_usd,
    from observed_grid
    left join observed_charges
        on observed_charges.ein = observed_grid.ein
        and observed_charges.month = observed_grid.month
),

live as (
    select
        ein,
        count(*) as live_registrations,
    from registrations
    where is_live
    group by ein
),

pending_businesses as (
    select distinct states.ein
    from states
    inner join now_month on now_month.latest_run_id = states.run_id
    where states.is_enabled
        and states.ein is not null
        and 'PENDING' in (states.att_status, states.tmobile_status)
        and states.ein not in (select ein from live)
),

projected_businesses as (
    select
        businesses.ein,
        coalesce(live.live_registrations, 0) as live_registrations,
        businesses.ein in (select ein from pending_businesses) as is_pending,
    from (
        select ein from registrations
        union
        select ein from pending_businesses
    ) as businesses
    left join live on live.ein = businesses.ein
),

projection_months as (
    select
        unnest(generate_series(
            now_month.latest_month + interval 1 month,
            now_month.latest_month + to_months(settings.projection_months),
            interval 1 month
        ))::date as month,
    from now_month
    cross join settings
),

projected as (
    select
        projected_businesses.ein,
        projection_months.month,
        'projected' as kind,
        projected_businesses.live_registrations as registrations_charged,
        case when projected_businesses.is_pending then settings.plivo_business_usd else 0 end
            as pending_usd,
    from projected_businesses
    cross join projection_months
    cross join settings
),

combined as (
    select * from observed
    union all
    select * from projected
),

final as (
    select
        combined.ein,
        combined.month,
        combined.kind,
        settings.plivo_billing_anchor as billing_anchor,
        combined.registrations_charged,
        combined.registrations_charged * settings.plivo_business_usd as charge_usd,
        combined.registrations_charged * settings.plivo_business_usd + combined.pending_usd
            as charge_usd_if_pending_approved,
    from combined
    cross join settings
)

select * from final
