-- plivo_ein_cost_monthly
-- purpose: Plivo Caller Reputation charges per business and month, observed and projected. USD
--   plivo_business_usd per registration per charge, charged on approval, not prorated, recurring
--   monthly while live, nothing refunded on cancellation; a new registration is a new charge, so one
--   month can hold two charges for one EIN. Billing anchor from callrep_settings.plivo_billing_anchor:
--   calendar (default: the approval month, then the 1st of every following month while live) or
--   anniversary (the approval day of month every month, clamped to the month's last day). Observed
--   rows count plivo_ein_charges' moments of the month. Plivo bills per EIN per account: each account
--   (or subaccount) has its own rows, up to its own latest snapshot.
-- grain: account x EIN x month x kind
-- since_column: month
-- key: account, ein, month, kind
-- materialized: table
-- columns:
--   account: the Plivo account (or subaccount) billed, as named in callrep.toml (default: the single account)
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

runs as (
    select * from stg_plivo__runs
),

registrations as (
    select * from int_plivo_ein_registrations
),

states as (
    select * from int_plivo_number_states
),

now_month as (
    -- each account's latest successful Plivo collection
    select
        account,
        date_trunc('month', timezone('UTC', collected_at))::date as latest_month,
        run_id as latest_run_id,
    from runs
    qualify row_number() over (partition by account order by run_seq desc) = 1
),

charges as (
    select * from int_cost_plivo_charges
),

observed_charges as (
    select
        account,
        ein,
        month,
        count(*) as registrations_charged,
    from charges
    where is_charged
    group by account, ein, month
),

observed_grid as (
    select
        observed_charges.account,
        observed_charges.ein,
        unnest(generate_series(
            min(observed_charges.month), any_value(now_month.latest_month), interval 1 month
        ))::date as month,
    from observed_charges
    inner join now_month on now_month.account = observed_charges.account
    group by observed_charges.account, observed_charges.ein
),

observed as (
    select
        observed_grid.account,
        observed_grid.ein,
        observed_grid.month,
        'observed' as kind,
        coalesce(observed_charges.registrations_charged, 0) as registrations_charged,
        null::double as pending_usd,
    from observed_grid
    left join observed_charges
        on observed_charges.account = observed_grid.account
        and observed_charges.ein = observed_grid.ein
        and observed_charges.month = observed_grid.month
),

live as (
    select
        account,
        ein,
        count(*) as live_registrations,
    from registrations
    where is_live
    group by account, ein
),

pending_businesses as (
    select distinct states.account, states.ein
    from states
    inner join now_month on now_month.latest_run_id = states.run_id
    anti join live on live.account = states.account and live.ein = states.ein
    where states.is_enabled
        and states.ein is not null
        and 'PENDING' in (states.att_status, states.tmobile_status)
),

projected_businesses as (
    select
        businesses.account,
        businesses.ein,
        coalesce(live.live_registrations, 0) as live_registrations,
        pending_businesses.ein is not null as is_pending,
    from (
        select account, ein from registrations
        union
        select account, ein from pending_businesses
    ) as businesses
    left join live on live.account = businesses.account and live.ein = businesses.ein
    left join pending_businesses
        on pending_businesses.account = businesses.account
        and pending_businesses.ein = businesses.ein
),

projection_months as (
    select
        now_month.account,
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
        projected_businesses.account,
        projected_businesses.ein,
        projection_months.month,
        'projected' as kind,
        projected_businesses.live_registrations as registrations_charged,
        case when projected_businesses.is_pending then settings.plivo_business_usd else 0 end
            as pending_usd,
    from projected_businesses
    inner join projection_months on projection_months.account = projected_businesses.account
    cross join settings
),

combined as (
    select * from observed
    union all
    select * from projected
),

final as (
    select
        combined.account,
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
