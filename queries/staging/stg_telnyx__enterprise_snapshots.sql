-- stg_telnyx__enterprise_snapshots
-- purpose: enterprise and reputation-settings snapshot rows of successful Telnyx runs.
-- grain: enterprise x run
-- key: run_id, enterprise_id
-- materialized: view

with snapshots as (
    select * from telnyx_enterprise_snapshots
),

runs as (
    select * from stg_telnyx__runs
),

final as (
    select
        s.run_id,
        s.account,
        s.collected_at,
        r.observed_on,
        r.is_latest_of_day,
        s.enterprise_id,
        s.legal_name,
        s.doing_business_as,
        s.reputation_enabled,
        s.status,
        s.loa_status,
        s.check_frequency,
        s.rejection_reasons,
        coalesce(len(s.flags), 0) > 0 as is_flagged,
    from snapshots as s
    join runs as r on r.run_id = s.run_id
)

select * from final
