-- action_enterprise_gates
-- purpose: Telnyx enterprises whose two reputation gates (reputation `status` and `loa_status`)
--   are not both approved at the week's last Telnyx run, with the rejection reasons.
--   Most severe first: a rejected gate, then reputation not enabled, then pending.
-- grain: enterprise
-- key: enterprise_id
-- parameters: $limit
with enterprises as (
    select * from report_enterprises
),

final as (
    select
        enterprise_id,
        coalesce(doing_business_as, legal_name) as enterprise_name,
        reputation_enabled,
        coalesce(lower(status), 'none') as reputation_status,
        coalesce(lower(loa_status), 'none') as loa_status,
        array_to_string(rejection_reasons, '; ') as rejection_reasons,
        count(*) over () as total_rows,
    from enterprises
    where not (coalesce(lower(status), '') = 'approved' and coalesce(lower(loa_status), '') = 'approved')
    order by
        (lower(status) = 'rejected' or lower(loa_status) = 'rejected') desc nulls last,
        reputation_enabled asc,
        enterprise_id
    limit $limit
)

select * from final
