-- action_enterprise_gates
-- order: 5
-- title: Enterprises not fully approved
-- description: Telnyx number reputation needs both the reputation status and the LOA approved.
--   Rejections first.
-- sources: telnyx
-- empty: Every enterprise has both gates approved.
-- next_step: the first that holds: reputation rejected with a reason naming the FEIN: "FEIN could
--   not be verified: fix the enterprise record"; reputation rejected otherwise: "reputation
--   rejected: fix the enterprise record, then re-apply"; LOA rejected: "LOA rejected: replace the
--   LOA" (recoverable, per Telnyx); LOA pending: "LOA under review at Telnyx: wait" (pending means
--   an uploaded LOA is being reviewed); reputation pending: "reputation vetting at Telnyx: wait";
--   reputation not enabled: "enable number reputation for the enterprise".
-- purpose: Telnyx enterprises whose two reputation gates (reputation `status` and `loa_status`)
--   are not both approved at the week's last Telnyx run, with the rejection reasons; the gate
--   states are the week's, the names the latest (dim_enterprises). Most severe first: a rejected
--   gate, then reputation not enabled, then pending.
-- grain: enterprise (of one account)
-- key: account, enterprise_id
-- parameters: $limit
-- alert: enterprise-gate
-- alert_subject: account, enterprise_id
-- alert_label: enterprise_name
-- columns:
--   enterprise_name: Enterprise [text, title=enterprise_id]
--   legal_name: Legal name
--   reputation_enabled: Reputation enabled
--   reputation_status: Reputation status [status]
--   loa_status: LOA status [status]
--   rejection_reasons: Rejection reasons
--   next_step: Next step
with enterprises as (
    select * from report_enterprises
),

names as (
    select * from dim_enterprises
),

gates as (
    select
        enterprises.account,
        enterprises.enterprise_id,
        coalesce(names.enterprise_name, enterprises.enterprise_id) as enterprise_name,
        names.legal_name,
        enterprises.reputation_enabled,
        coalesce(lower(enterprises.status), 'none') as reputation_status,
        coalesce(lower(enterprises.loa_status), 'none') as loa_status,
        array_to_string(enterprises.rejection_reasons, '; ') as rejection_reasons,
    from enterprises
    left join names
        on names.account = enterprises.account and names.enterprise_id = enterprises.enterprise_id
),

final as (
    select
        *,
        case
            when reputation_status = 'rejected' and rejection_reasons ilike '%fein%'
                then 'FEIN could not be verified: fix the enterprise record'
            when reputation_status = 'rejected'
                then 'reputation rejected: fix the enterprise record, then re-apply'
            when loa_status = 'rejected' then 'LOA rejected: replace the LOA'
            when loa_status = 'pending' then 'LOA under review at Telnyx: wait'
            when reputation_status = 'pending' then 'reputation vetting at Telnyx: wait'
            when not coalesce(reputation_enabled, false)
                then 'enable number reputation for the enterprise'
            else 'upload the signed LOA'
        end as next_step,
        count(*) over () as total_rows,
    from gates
    where not (reputation_status = 'approved' and loa_status = 'approved')
    order by
        (reputation_status = 'rejected' or loa_status = 'rejected') desc,
        reputation_enabled asc,
        enterprise_id,
        account
    limit $limit
)

select * from final
