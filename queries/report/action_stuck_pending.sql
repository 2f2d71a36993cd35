-- action_stuck_pending
-- order: 4
-- title: Registrations stuck in PENDING
-- description: PENDING with a carrier for more than 2 US business days. Longest waiting first.
-- sources: plivo
-- export: plivo_carrier_status
-- empty: No registration has been pending for more than 2 business days.
-- next_step: "pending past 2 business days since <the earliest carrier's pending start, e.g.
--   Tue 10 Nov>: contact Plivo" (Plivo promises up to 2 business days).
-- purpose: Plivo registrations PENDING with some carrier for longer than 2 US business days
--   as of the week's last Plivo run. Most severe first: pending the longest.
-- grain: account x phone number
-- key: account, phone_number
-- parameters: $limit
-- alert: registration-overdue
-- alert_subject: account, phone_number
-- alert_label: phone_number
-- columns:
--   phone_number: Number [phone]
--   company_name: Business
--   ein: EIN
--   att_status: AT&T [status]
--   att_pending_since: AT&T pending since [datetime]
--   tmobile_status: T-Mobile [status]
--   tmobile_pending_since: T-Mobile pending since [datetime]
--   att_decided_at: AT&T decided [datetime]
--   tmobile_decided_at: T-Mobile decided [datetime]
--   next_step: Next step
with stuck as (
    select * from report_plivo_status
    where period = 'current' and stuck_pending
),

final as (
    select
        account,
        number as phone_number,
        ein,
        company_name,
        merged_status,
        att_status,
        att_pending_since,
        tmobile_status,
        tmobile_pending_since,
        att_decided_at,
        tmobile_decided_at,
        'pending past 2 business days since '
            || strftime(timezone('UTC', pending_since), '%a %-d %b') || ': contact Plivo'
            as next_step,
        count(*) over () as total_rows,
    from stuck
    order by pending_since asc, number, account
    limit $limit
)

select * from final
