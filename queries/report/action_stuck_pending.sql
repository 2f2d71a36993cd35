-- action_stuck_pending
-- purpose: Plivo registrations PENDING with some carrier for longer than 2 US business days
--   as of the week's last Plivo run. Most severe first: pending the longest.
-- grain: number
-- key: number
-- parameters: $limit
with stuck as (
    select * from report_plivo_status
    where period = 'current' and stuck_pending
),

final as (
    select
        number,
        ein,
        company_name,
        merged_status,
        att_status,
        att_pending_since,
        tmobile_status,
        tmobile_pending_since,
        att_decided_at,
        tmobile_decided_at,
        count(*) over () as total_rows,
    from stuck
    order by pending_since asc, number
    limit $limit
)

select * from final
