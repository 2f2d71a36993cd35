-- int_telnyx_enterprise_days
-- purpose: which enterprises had numbers on each observed day, mapping the compact
--   enterprise_key used by int_telnyx_number_days back to the account and enterprise_id (the key
--   hashes both: one enterprise id seen in two accounts is two enterprises).
-- grain: enterprise (of one account) x observed day
-- key: account, enterprise_id, observed_on (enterprise_key, observed_on is unique too)
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
        hash(account, enterprise_id) as enterprise_key,
        account,
        enterprise_id,
        numbers,
    from (
        -- the key hashed per group, not per row
        select observed_on, account, enterprise_id, count(*) as numbers,
        from new_days
        group by all
    )
)

select * from final
