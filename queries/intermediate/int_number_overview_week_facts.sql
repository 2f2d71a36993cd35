-- int_number_overview_week_facts
-- purpose: each number as its account's last successful Telnyx run and last successful Plivo
--   run of every ISO week saw it (the last runs before the Monday after, from earlier weeks when
--   a week has none): reputation next to carrier registration, before any flag; a number is
--   joined across providers within its account. The flags are added by
--   int_number_overview_flags. A view: readers filter it to one week_start (the filter reaches
--   the runs, so one week reads only its two runs' rows; a year of weeks materialised would not
--   fit the build's memory).
-- grain: ISO week x account x phone number (E.164) in that week's last Telnyx snapshot, Plivo
--   number snapshot or Plivo verified caller IDs of the account
-- key: week_start, account, phone_number
-- materialized: view

with

telnyx_runs as (
    select * from stg_telnyx__runs
),

plivo_runs as (
    select * from stg_plivo__runs
),

telnyx_numbers as (
    select * from stg_telnyx__number_snapshots
),

plivo_numbers as (
    -- the snapshot's own columns: none of the carrier-status rules is needed here
    select * from int_plivo_number_states
),

caller_ids as (
    select * from stg_plivo__verified_caller_ids
),

enterprise_days as (
    select * from int_telnyx_enterprise_days
),

all_runs as (
    select 'telnyx' as source, account, run_id, collected_at from telnyx_runs
    union all
    select 'plivo' as source, account, run_id, collected_at from plivo_runs
),

weeks as (
    select
        week_start,
        strftime(week_start, '%G-W%V') as iso_week,
        timezone('UTC', (week_start + 7)::timestamp) as week_end_at,
    from (
        select unnest(generate_series(
            date_trunc('week', min(timezone('UTC', collected_at)))::date,
            date_trunc('week', max(timezone('UTC', collected_at)))::date,
            interval 7 day
        ))::date as week_start,
        from all_runs
    )
),

week_runs as (
    -- each account's last successful run of each source before the week's end
    select
        weeks.week_start,
        all_runs.account,
        arg_max(all_runs.run_id, all_runs.collected_at) filter (where all_runs.source = 'telnyx')
            as telnyx_run_id,
        max(all_runs.collected_at) filter (where all_runs.source = 'telnyx')
            as telnyx_collected_at,
        arg_max(all_runs.run_id, all_runs.collected_at) filter (where all_runs.source = 'plivo')
            as plivo_run_id,
    from weeks
    inner join all_runs on all_runs.collected_at < weeks.week_end_at
    group by weeks.week_start, all_runs.account
),

telnyx_week_rows as (
    -- compact keys (phone and enterprise as integers) keep a year of weeks within memory
    select
        week_runs.week_start,
        week_runs.account,
        week_runs.telnyx_collected_at,
        telnyx_numbers.phone_key,
        hash(telnyx_numbers.account, telnyx_numbers.enterprise_id) as enterprise_key,
        telnyx_numbers.spam_risk,
        telnyx_numbers.maturity_score,
        telnyx_numbers.connection_score,
        telnyx_numbers.engagement_score,
        telnyx_numbers.sentiment_score,
        telnyx_numbers.last_refreshed_at,
    from week_runs
    inner join telnyx_numbers on telnyx_numbers.run_id = week_runs.telnyx_run_id
    where telnyx_numbers.is_usable
),

telnyx_grouped as (
    -- several enterprises may monitor one number: the most recent refresh wins
    select
        week_start,
        account,
        phone_key,
        arg_max(enterprise_key, (last_refreshed_at, enterprise_key)) as enterprise_key,
        count(*) as telnyx_enterprises,
        arg_max(
            {
                'spam_risk': spam_risk,
                'maturity_score': maturity_score,
                'connection_score': connection_score,
                'engagement_score': engagement_score,
                'sentiment_score': sentiment_score,
            },
            (last_refreshed_at, enterprise_key)
        ) as reputation,
        max(last_refreshed_at) as last_refreshed_at,
        any_value(telnyx_collected_at) as telnyx_collected_at,
    from telnyx_week_rows
    group by week_start, account, phone_key
),

enterprise_ids as (
    select distinct enterprise_key, enterprise_id from enterprise_days
),

telnyx_by_number as (
    select
        telnyx_grouped.week_start,
        telnyx_grouped.account,
        '+' || telnyx_grouped.phone_key as phone_number,
        enterprise_ids.enterprise_id as telnyx_enterprise_id,
        telnyx_grouped.telnyx_enterprises,
        telnyx_grouped.reputation.spam_risk as spam_risk,
        telnyx_grouped.reputation.maturity_score as maturity_score,
        telnyx_grouped.reputation.connection_score as connection_score,
        telnyx_grouped.reputation.engagement_score as engagement_score,
        telnyx_grouped.reputation.sentiment_score as sentiment_score,
        telnyx_grouped.last_refreshed_at,
        telnyx_grouped.telnyx_collected_at,
    from telnyx_grouped
    inner join enterprise_ids on enterprise_ids.enterprise_key = telnyx_grouped.enterprise_key
),

plivo_by_number as (
    select
        week_runs.week_start,
        plivo_numbers.*,
    from week_runs
    inner join plivo_numbers on plivo_numbers.run_id = week_runs.plivo_run_id
),

verified as (
    select distinct
        week_runs.week_start,
        caller_ids.account,
        caller_ids.phone_number,
    from week_runs
    inner join caller_ids on caller_ids.run_id = week_runs.plivo_run_id
),

all_numbers as (
    select week_start, account, phone_number from telnyx_by_number
    union
    select week_start, account, phone_number from plivo_by_number
    union
    select week_start, account, phone_number from verified
),

joined as (
    select
        all_numbers.week_start,
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
        plivo_by_number.caller_reputation as plivo_caller_reputation,
        plivo_by_number.merged_status as plivo_merged_status,
        plivo_by_number.att_status,
        plivo_by_number.tmobile_status,
        plivo_by_number.ein,
        telnyx_by_number.phone_number is not null as in_telnyx,
        plivo_by_number.phone_number is not null as in_plivo,
        verified.phone_number is not null as is_verified_caller_id,
    from all_numbers
    left join telnyx_by_number
        on telnyx_by_number.week_start = all_numbers.week_start
        and telnyx_by_number.account = all_numbers.account
        and telnyx_by_number.phone_number = all_numbers.phone_number
    left join plivo_by_number
        on plivo_by_number.week_start = all_numbers.week_start
        and plivo_by_number.account = all_numbers.account
        and plivo_by_number.phone_number = all_numbers.phone_number
    left join verified
        on verified.week_start = all_numbers.week_start
        and verified.account = all_numbers.account
        and verified.phone_number = all_numbers.phone_number
),

final as (
    -- the week's label once per week, not once per number
    select
        joined.week_start,
        weeks.iso_week,
        joined.* exclude (week_start),
    from joined
    inner join weeks on weeks.week_start = joined.week_start
)

select * from final
