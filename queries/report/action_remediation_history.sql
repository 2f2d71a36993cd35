-- action_remediation_history
-- purpose: numbers remediated more than once or back to high after a remediation, as of the
--   report week's end, with their recommendation. Rotate first, then the most re-flags, then the
--   most submissions.
-- grain: phone number
-- key: phone_number
-- parameters: $week, $limit
with history as (
    select * from remediation_number_history_weekly
    where iso_week = $week
        and (times_submitted > 1 or times_reflagged > 0)
),

final as (
    select
        history.phone_number,
        coalesce(names.doing_business_as, names.legal_name, history.enterprise_id)
            as enterprise_name,
        history.recommendation,
        history.times_submitted,
        history.times_reflagged,
        history.bucket_sequence,
        history.first_submitted_at,
        history.last_submitted_at,
        history.remediation_usd,
        count(*) over () as total_rows,
    from history
    left join report_enterprises as names on names.enterprise_id = history.enterprise_id
    order by
        (history.recommendation = 'rotate') desc,
        history.times_reflagged desc,
        history.times_submitted desc,
        history.phone_number
    limit $limit
)

select * from final
