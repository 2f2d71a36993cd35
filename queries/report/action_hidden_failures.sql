-- action_hidden_failures
-- purpose: Plivo numbers with a carrier FAILED while the merged status reads ACTIVE or PENDING,
--   as of the week's last Plivo run. Most severe first: merged ACTIVE (looks fine), then both
--   carriers failed.
-- grain: number
-- key: number
-- parameters: $limit
with failures as (
    select * from report_plivo_status
    where period = 'current' and hidden_failure
),

final as (
    select
        number,
        ein,
        company_name,
        merged_status,
        att_status,
        tmobile_status,
        caller_reputation,
        att_decided_at,
        tmobile_decided_at,
        count(*) over () as total_rows,
    from failures
    order by
        (merged_status = 'ACTIVE') desc,
        (att_status = 'FAILED' and tmobile_status = 'FAILED') desc,
        number
    limit $limit
)

select * from final
