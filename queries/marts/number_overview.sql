-- number_overview
-- purpose: one row per phone number across both providers (the latest successful snapshot of each):
--   Telnyx reputation next to Plivo carrier registration, with the flags a user acts on. The same
--   rules as int_number_overview_weeks (the view the weekly report reads per week; a test keeps
--   this mart equal to that view's latest week): a filter on the view by a computed week is not
--   pushed down, so reading it here would evaluate every week and exceed the build's memory.
-- grain: phone number (E.164) in the latest Telnyx snapshot, the latest Plivo number snapshot or the
--   latest Plivo verified caller IDs
-- key: phone_number
-- materialized: table
-- columns:
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

latest_runs_by_source as (
    select * from latest_runs
),

telnyx_numbers as (
    select * from stg_telnyx__number_snapshots
),

plivo_numbers as (
    select * from plivo_carrier_status
),

caller_ids as (
    select * from stg_plivo__verified_caller_ids
),

telnyx_latest as (
    select
        telnyx_numbers.*,
        latest_runs_by_source.collected_at as telnyx_collected_at,
    from telnyx_numbers
    inner join latest_runs_by_source
        on latest_runs_by_source.source = 'telnyx'
        and latest_runs_by_source.run_id = telnyx_numbers.run_id
    where telnyx_numbers.is_usable
),

telnyx_latest_by_number as (
    select
        phone_number,
        -- one arg_max carrying every field (one sort key per group instead of six)
        arg_max(
            {
                'enterprise_id': enterprise_id,
                'spam_risk': spam_risk,
                'maturity_score': maturity_score,
                'connection_score': connection_score,
                'engagement_score': engagement_score,
                'sentiment_score': sentiment_score,
            },
            (last_refreshed_at, enterprise_id)
        ) as latest,
        count(distinct enterprise_id) as telnyx_enterprises,
        max(last_refreshed_at) as last_refreshed_at,
        any_value(telnyx_collected_at) as telnyx_collected_at,
    from telnyx_latest
    group by phone_number
),

telnyx_by_number as (
    select
        phone_number,
        latest.enterprise_id as telnyx_enterprise_id,
        telnyx_enterprises,
        latest.spam_risk,
        latest.maturity_score,
        latest.connection_score,
        latest.engagement_score,
        latest.sentiment_score,
        last_refreshed_at,
        telnyx_collected_at,
    from telnyx_latest_by_number
),

verified as (
    select distinct caller_ids.phone_number
    from caller_ids
    inner join latest_runs_by_source
        on latest_runs_by_source.source = 'plivo'
        and latest_runs_by_source.run_id = caller_ids.run_id
),

all_numbers as (
    select phone_number from telnyx_by_number
    union
    select number as phone_number from plivo_numbers
    union
    select phone_number from verified
),

joined as (
    select
        all_numbers.phone_number,
        telnyx_by_number.telnyx_enterprise_id,
        coalesce(telnyx_by_number.telnyx_enterprises, 0) as telnyx_enterprises,
        telnyx_by_number.spam_risk,
        telnyx_by_number.maturity_score,
        telnyx_by_number.connection_score,
        telnyx_by_number.engagement_score,
        telnyx_by_number.sentiment_score,
        telnyx_by_number.last_refreshed_at,
        telnyx_by_number.telnyx_collected_at,
        plivo_numbers.caller_reputation as plivo_caller_reputation,
        plivo_numbers.merged_status as plivo_merged_status,
        plivo_numbers.att_status,
        plivo_numbers.tmobile_status,
        plivo_numbers.ein,
        telnyx_by_number.phone_number is not null as in_telnyx,
        plivo_numbers.number is not null as in_plivo,
        verified.phone_number is not null as is_verified_caller_id,
    from all_numbers
    left join telnyx_by_number on telnyx_by_number.phone_number = all_numbers.phone_number
    left join plivo_numbers on plivo_numbers.number = all_numbers.phone_number
    left join verified on verified.phone_number = all_numbers.phone_number
),

final as (
    select
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
        coalesce('ACTIVE' in (att_status, tmobile_status) and spam_risk = 'high', false)
            as registered_but_high,
        (in_plivo or is_verified_caller_id) and not in_telnyx as not_monitored,
        in_telnyx and (
            last_refreshed_at is null
            or last_refreshed_at < telnyx_collected_at - interval 7 day
        ) as stale,
    from joined
)

select * from final
