-- action_remediation_history
-- order: 7
-- title: Remediation: numbers remediated more than once or back to high
-- description: Each number's remediation history as of the week's end. Rotate first, then the
--   most re-flags.
-- sources: telnyx
-- export: remediation_number_history
-- empty: No number was remediated more than once or came back high.
-- next_step: the number's Telnyx next step (report_remediation_steps), from its history's
--   recommendation (remediation_number_history_weekly): rotate, wait, review, resubmit.
-- purpose: numbers remediated more than once or back to high after a remediation, as of the
--   report week's end, with their next step. Rotate first, then the most re-flags, then the most
--   submissions.
-- grain: account x phone number
-- key: account, phone_number
-- parameters: $limit (reads report_remediation_history, the week staged)
-- columns:
--   phone_number: Number [phone]
--   enterprise_name: Enterprise
--   times_submitted: Submitted [number]
--   times_reflagged: Back to high [number]
--   bucket_sequence: Results, oldest first
--   first_submitted_at: First [date]
--   last_submitted_at: Last [date]
--   remediation_usd: USD spent [usd]
--   next_step: Next step
with history as (
    select * from report_remediation_history
    where times_submitted > 1 or times_reflagged > 0
),

final as (
    select
        history.account,
        history.phone_number,
        history.enterprise_id,
        coalesce(names.enterprise_name, history.enterprise_id) as enterprise_name,
        history.recommendation,
        history.times_submitted,
        history.times_reflagged,
        history.bucket_sequence,
        history.first_submitted_at,
        history.last_submitted_at,
        history.remediation_usd,
        steps.next_step,
        count(*) over () as total_rows,
    from history
    left join dim_enterprises as names
        on names.account = history.account and names.enterprise_id = history.enterprise_id
    left join report_remediation_steps as steps
        on steps.account = history.account and steps.phone_number = history.phone_number
    order by
        (history.recommendation = 'rotate') desc,
        history.times_reflagged desc,
        history.times_submitted desc,
        history.phone_number,
        history.account
    limit $limit
)

select * from final
