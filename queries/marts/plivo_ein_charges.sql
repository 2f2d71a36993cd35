-- plivo_ein_charges
-- purpose: every Plivo Caller Reputation charge moment of every registration: the approval, then each
--   month while live, by the billing anchor in callrep_settings (see plivo_ein_cost_monthly). Summed
--   per month (is_charged only) it gives the observed rows of plivo_ein_cost_monthly; the weekly
--   report keeps the registrations known at the week's last Plivo collection and the moments before
--   the week's end, so a past week's figures never change when later data arrives.
-- grain: registration x charge moment (up to the end of the month of the account's latest Plivo
--   snapshot)
-- since_column: charge_at
-- key: account, ein, registration_seq, charge_at
-- materialized: view
-- columns:
--   account: the Plivo account (or subaccount) billed: Plivo bills per EIN per account
--   ein: the business key (see plivo_ein_registrations)
--   registration_seq: the registration (see plivo_ein_registrations)
--   approved_at: when the registration was approved (see plivo_ein_registrations)
--   ended_at: the first collection that saw the business gone; null while live
--   charge_at: the charge moment: approved_at, then the 1st at 00:00 UTC of each following month (calendar anchor) or the approval day and time of each following month, clamped to its last day (anniversary)
--   month: first day of charge_at's calendar month (UTC)
--   is_charged: the registration was still live at charge_at (ended_at null or later); a moment at or after ended_at costs nothing
--   charge_usd: plivo_business_usd when is_charged, else 0

with

settings as (
    select * from callrep_settings
),

charges as (
    select * from int_cost_plivo_charges
),

final as (
    select
        charges.*,
        case when charges.is_charged then settings.plivo_business_usd else 0 end::double
            as charge_usd,
    from charges
    cross join settings
)

select * from final
