-- number_overview
-- purpose: one row per account and phone number across both providers (the account's latest
--   successful snapshot of each; an account name means the same customer on both providers):
--   Telnyx reputation next to Plivo carrier registration, with the flags a user acts on. The
--   flags come from int_number_overview_flags, the one model that states them; the weekly report
--   reads the same model per week (int_number_overview_weeks). A view: it only filters that
--   model, and a copy would cost every build a pass over the latest snapshots.
-- grain: account x phone number (E.164) in the account's latest Telnyx snapshot, latest Plivo
--   number snapshot or latest Plivo verified caller IDs
-- since_column: last_refreshed_at
-- key: account, phone_number
-- materialized: view
-- columns:
--   account: the account, as named in callrep.toml (default: the single account); the same name on Telnyx and Plivo is the same customer
--   phone_number: the number in E.164 (with the +)
--   telnyx_enterprise_id: the Telnyx enterprise monitoring it (the one with the most recent refresh when several do); null when Telnyx does not monitor it
--   telnyx_enterprises: how many Telnyx enterprises monitor it (0 when none)
--   spam_risk: Telnyx spam risk (low, medium, high; unknown for anything else or no data); null when Telnyx does not monitor it
--   maturity_score: Telnyx maturity score (0-100)
--   connection_score: Telnyx connection score (0-100)
--   engagement_score: Telnyx engagement score (0-100)
--   sentiment_score: Telnyx sentiment score (0-100)
--   last_refreshed_at: when Telnyx last refreshed the number's reputation
--   plivo_caller_reputation: enabled or disabled on Plivo; null when not a Plivo number
--   plivo_merged_status: Plivo's merged caller_reputation_status
--   att_status: AT&T's status on Plivo
--   tmobile_status: T-Mobile's status on Plivo
--   ein: the Plivo business key (see plivo_ein_registrations)
--   in_telnyx: Telnyx monitors the number (it is in the latest Telnyx snapshot)
--   in_plivo: the number is in the latest Plivo number snapshot
--   is_verified_caller_id: the number is a verified caller ID in the latest Plivo snapshot
--   registered_but_high: a Plivo carrier is ACTIVE yet Telnyx rates the number high risk
--   not_monitored: a Plivo number or verified caller ID that Telnyx does not monitor
--   stale: Telnyx monitors it but has not refreshed its reputation for more than 7 days before the latest Telnyx collection (or never); false when not monitored

with

flagged as (
    select * from int_number_overview_flags
    where scope = 'latest'
),

final as (
    select
        account,
        phone_number,
        telnyx_enterprise_id,
        telnyx_enterprises,
        spam_risk,
        maturity_score,
        connection_score,
        engagement_score,
        sentiment_score,
        last_refreshed_at,
        plivo_caller_reputation,
        plivo_merged_status,
        att_status,
        tmobile_status,
        ein,
        in_telnyx,
        in_plivo,
        is_verified_caller_id,
        registered_but_high,
        not_monitored,
        stale,
    from flagged
)

select * from final
