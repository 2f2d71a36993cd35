-- int_cost_plivo_charges
-- purpose: every Plivo charge moment of every registration (the one definition of when Plivo
--   charges): the approval, then each month while live (calendar anchor: the 1st at 00:00 UTC;
--   anniversary: the approval day and time, clamped to the month's last day), up to the end of the
--   month of the account's latest Plivo snapshot. Moments at or after the registration's end are
--   kept, flagged. Plivo bills per EIN per account.
-- grain: registration x charge moment
-- key: account, ein, registration_seq, charge_at
-- materialized: table

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

now_month as (
    select
        account,
        date_trunc('month', timezone('UTC', max(collected_at)))::date as latest_month,
    from runs
    group by account
),

registration_months as (
    select
        registrations.account,
        registrations.ein,
        registrations.registration_seq,
        registrations.approved_at,
        registrations.ended_at,
        timezone('UTC', registrations.approved_at) as approved_at_utc,
        date_trunc('month', timezone('UTC', registrations.approved_at))::date as approval_month,
        unnest(generate_series(
            0,
            date_diff(
                'month',
                date_trunc('month', timezone('UTC', registrations.approved_at))::date,
                now_month.latest_month
            )
        )) as months_after_approval,
    from registrations
    inner join now_month on now_month.account = registrations.account
),

charge_moments as (
    select
        registration_months.*,
        case
            when months_after_approval = 0 then approved_at_utc
            when settings.plivo_billing_anchor = 'anniversary'
                then approved_at_utc + to_months(months_after_approval)
            else approval_month + to_months(months_after_approval)
        end as charge_at_utc,
    from registration_months
    cross join settings
),

final as (
    select
        account,
        ein,
        registration_seq,
        approved_at,
        ended_at,
        timezone('UTC', charge_at_utc) as charge_at,
        date_trunc('month', charge_at_utc)::date as month,
        ended_at is null or timezone('UTC', charge_at_utc) < ended_at as is_charged,
    from charge_moments
)

select * from final
