-- int_telnyx_enterprise_days
-- purpose: which enterprises had numbers on each observed day, mapping the compact
--   enterprise_key used by int_telnyx_number_days back to the enterprise_id.
-- grain: enterprise x observed day
-- key: enterprise_key, observed_on
-- materialized: incremental
-- incremental_on: observed_on

with snapshots as (
    select * from stg_telnyx__number_snapshots
),

new_days as (
    select *
    from snapshots
    where is_latest_of_day and is_usable and observed_on >= getvariable('callrep_since')
),

final as (
    select
        observed_on,
        hash(enterprise_id) as enterprise_key,
        enterprise_id,
        count(*) as numbers,
    from new_days
    group by all
)

select * from final
