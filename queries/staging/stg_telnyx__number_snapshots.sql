-- stg_telnyx__number_snapshots
-- purpose: monitored-number snapshot rows of successful runs, with the risk label normalised
--   (low/medium/high, anything else or null is unknown, flagged) and as a code (risk_code:
--   0 unknown / 1 low / 2 medium / 3 high, what the intermediate models store), a compact
--   numeric key for the phone number (landed with it: migration 007), and a flag for rows the
--   marts cannot use (no typed E.164 phone number).
-- grain: monitored number x run
-- key: run_id, enterprise_id, phone_number
-- materialized: view

with snapshots as (
    select * from telnyx_number_snapshots
),

runs as (
    select * from stg_telnyx__runs
),

normalised as (
    select
        s.run_id,
        s.account,
        s.collected_at,
        r.observed_on,
        r.is_latest_of_day,
        s.enterprise_id,
        s.phone_number,
        -- E.164 digits as a bigint, compact to store, sort and join at fleet scale: landed by
        -- the collector since migration 007, which keyed the rows landed before it.
        s.phone_key,
        s.has_reputation_data,
        s.spam_risk as spam_risk_reported,
        case when s.spam_risk in ('low', 'medium', 'high') then s.spam_risk else 'unknown' end
            as spam_risk,
        s.spam_risk is not null and s.spam_risk not in ('low', 'medium', 'high')
            as is_unknown_risk_value,
        cast(
            case s.spam_risk when 'low' then 1 when 'medium' then 2 when 'high' then 3 else 0 end
            as utinyint
        ) as risk_code,
        s.spam_category,
        s.maturity_score,
        s.connection_score,
        s.engagement_score,
        s.sentiment_score,
        s.last_refreshed_at,
        coalesce(len(s.flags), 0) > 0 as is_flagged,
    from snapshots as s
    join runs as r on r.run_id = s.run_id
),

final as (
    select
        *,
        phone_key is not null as is_usable,
    from normalised
)

select * from final
