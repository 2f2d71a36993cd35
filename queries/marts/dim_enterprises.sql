-- dim_enterprises
-- purpose: the one place names come from: each Telnyx enterprise ever collected with its
--   legal name and business name as its latest successful snapshot gives them (the newest
--   snapshot that lists it), so a rename shows everywhere at once. A view, never stored: the
--   report, exports and alerts join it for names; no other mart keeps a name.
-- grain: Telnyx enterprise (of the account that collected it)
-- key: account, enterprise_id
-- materialized: view
-- columns:
--   account: the Telnyx account the enterprise belongs to, as named in callrep.toml (default: the single account)
--   enterprise_id: Telnyx enterprise id (UUID)
--   enterprise_name: the name a person reads: the business name (doing_business_as), else the legal name, else the id
--   legal_name: the legal name at the latest snapshot that lists the enterprise
--   doing_business_as: the business name at that snapshot (null when none)
--   named_at: the collection time of that snapshot (UTC)

with snapshots as (
    select * from stg_telnyx__enterprise_snapshots
),

latest as (
    select
        account,
        enterprise_id,
        arg_max(legal_name, (collected_at, run_id)) as legal_name,
        arg_max(doing_business_as, (collected_at, run_id)) as doing_business_as,
        max(collected_at) as named_at,
    from snapshots
    group by account, enterprise_id
),

final as (
    select
        account,
        enterprise_id,
        coalesce(nullif(doing_business_as, ''), nullif(legal_name, ''), enterprise_id)
            as enterprise_name,
        legal_name,
        doing_business_as,
        named_at,
    from latest
)

select * from final
