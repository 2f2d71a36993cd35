-- int_number_overview_latest_facts
-- purpose: each number as its account's latest successful Telnyx run and latest successful
--   Plivo run saw it: reputation next to carrier registration, before any flag
--   (int_number_overview_flags adds them for number_overview). An account name means the same
--   customer on both providers, so a number is joined across providers within its account.
-- grain: account x phone number (E.164) in the account's latest Telnyx snapshot, latest Plivo
--   number snapshot or latest Plivo verified caller IDs
-- key: account, phone_number
-- materialized: view

with

latest_runs_by_source as (
    -- each account's latest successful run of each source
    select source, account, run_id, collected_at,
    from stg_callrep__runs
    where status = 'succeeded' and source in ('telnyx', 'plivo')
    qualify row_number() over (
        partition by source, account order by collected_at desc, run_id desc
    ) = 1
),

telnyx_numbers as (
    select * from stg_telnyx__number_snapshots
),

plivo_states as (
    -- the snapshot's own columns: none of the carrier-status rules is needed here
    select * from int_plivo_number_states
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
        account,
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
    group by account, phone_number
),

telnyx_by_number as (
    select
        account,
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

plivo_numbers as (
    select plivo_states.*
    from plivo_states
    inner join latest_runs_by_source
        on latest_runs_by_source.source = 'plivo'
        and latest_runs_by_source.run_id = plivo_states.run_id
),

verified as (
    select distinct caller_ids.account, caller_ids.phone_number
    from caller_ids
    inner join latest_runs_by_source
        on latest_runs_by_source.source = 'plivo'
        and latest_runs_by_source.run_id = caller_ids.run_id
),

all_numbers as (
    select account, phone_number from telnyx_by_number
    union
    select account, phone_number from plivo_numbers
    union
    select account, phone_number from verified
),

joined as (
    select
        all_numbers.account,
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
        plivo_numbers.phone_number is not null as in_plivo,
        verified.phone_number is not null as is_verified_caller_id,
    from all_numbers
    left join telnyx_by_number
        on telnyx_by_number.account = all_numbers.account
        and telnyx_by_number.phone_number = all_numbers.phone_number
    left join plivo_numbers
        on plivo_numbers.account = all_numbers.account
        and plivo_numbers.phone_number = all_numbers.phone_number
    left join verified
        on verified.account = all_numbers.account
        and verified.phone_number = all_numbers.phone_number
),

final as (
    select * from joined
)

select * from final
