-- int_telnyx_number_days
-- purpose: each number's state on each observed day: the rows of the day's latest successful
--   Telnyx run, in compact form (phone and enterprise as integer keys, risk as a code
--   0 unknown / 1 low / 2 medium / 3 high, scores as small integers) and the time Telnyx last
--   refreshed the data (what a remediation outcome is judged by). The enterprise key hashes
--   account and enterprise id, so it names the account too (int_telnyx_enterprise_days maps it
--   back; a varchar account column here would cost every build). Only E.164 numbers (at most 15 digits, so a phone key
--   stays below 2^50, which int_telnyx_number_events relies on). Built incrementally:
--   only days from the first day touched by a new run are recomputed and appended.
-- grain: enterprise (of one account) x phone number x observed day (days without a run are
--   absent: gaps, never carried)
-- key: enterprise_key, phone_key, observed_on
-- materialized: incremental
-- incremental_on: observed_on

with snapshots as (
    select * from stg_telnyx__number_snapshots
),

new_days as (
    select *
    from snapshots
    where is_latest_of_day and is_usable and observed_on >= getvariable('callrep_since')
        and phone_key < 1000000000000000  -- E.164: at most 15 digits
),

final as (
    select
        observed_on,
        phone_key,
        hash(account, enterprise_id) as enterprise_key,
        cast(case spam_risk when 'low' then 1 when 'medium' then 2 when 'high' then 3 else 0 end
            as utinyint) as risk_code,
        cast(maturity_score as utinyint) as maturity_score,
        cast(connection_score as utinyint) as connection_score,
        cast(engagement_score as utinyint) as engagement_score,
        cast(sentiment_score as utinyint) as sentiment_score,
        last_refreshed_at,
    from new_days
)

select * from final
