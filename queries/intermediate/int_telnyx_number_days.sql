-- int_telnyx_number_days
-- purpose: each number's state on each observed day: the rows of the day's latest successful
--   Telnyx run, in compact form (phone and enterprise as integer keys, risk as a code
--   0 unknown / 1 low / 2 medium / 3 high, the four 0-100 scores packed into one integer) and
--   the time Telnyx last refreshed the data (what a remediation outcome is judged by). scores
--   holds maturity << 21 | connection << 14 | engagement << 7 | sentiment, 7 bits each, 127 for
--   a null score: one narrow column for the models that read every day (unpacked with shifts
--   there). The enterprise key hashes account and enterprise id, so it names the account too
--   (int_telnyx_enterprise_days maps it back; a varchar account column here would cost every
--   build). Only E.164 numbers (at most 15 digits, so a phone key stays below 2^50, which
--   int_telnyx_number_events relies on). Built incrementally: only days from the first day
--   touched by a new run are recomputed and appended.
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
        risk_code,
        -- scores are 0-100 (the collector nulls anything else): 7 bits each, 127 = null
        (cast(coalesce(maturity_score, 127) as integer) << 21)
        | (cast(coalesce(connection_score, 127) as integer) << 14)
        | (cast(coalesce(engagement_score, 127) as integer) << 7)
        | cast(coalesce(sentiment_score, 127) as integer) as scores,
        last_refreshed_at,
    from new_days
)

select * from final
