-- score_drift_onsets
-- purpose: the one rule for "drift is new this week": per ISO week, the numbers with a
--   score_drift row in the week and none in the 7 days before its Monday, one row per number with
--   the scores that fell and the worst drop. The weekly report lists them and the alerts read
--   them; score_drift keeps the full history (one row per number, day and score).
-- grain: ISO week x account x phone number
-- since_column: iso_week
-- key: account, iso_week, phone_number
-- materialized: incremental
-- incremental_on: week_start
-- incremental_grain: week
-- columns:
--   account: the Telnyx account, as named in callrep.toml (default: the single account)
--   iso_week: ISO week label (2026-W46)
--   week_start: the week's Monday (UTC)
--   phone_number: E.164 phone number
--   enterprise_id: Telnyx enterprise the number belonged to on its latest drift day in the week
--   first_drift_on: the first day in the week with a drift row
--   last_drift_on: the last day in the week with a drift row
--   scores_fell: the scores that fell 15 points or more in the week, comma-separated, in the fixed order maturity, connection, engagement, sentiment
--   worst_score: the score with the largest drop in the week
--   worst_drop: that drop, in points
--   worst_value_before: that score at the observation 7 or more days before the drop
--   worst_value_now: that score on the day of the drop
--   spam_risk: the number's risk on its latest drift day in the week (low or medium)

-- Incremental by week: the new weeks need the drift rows of the week before them as well.
-- (callrep_since is unset when the SQL is run on its own: then every week.)
with drift as (
    select *
    from int_score_drift
    where observed_on
        >= coalesce(getvariable('callrep_since'), date '1900-01-01') - 7
),

enterprises as (
    select * from int_telnyx_enterprise_days
),

-- Small codes per account and per enterprise, valid within this query only: a number's group
-- key is one bigint (the account code above the phone key's 50 bits, as in
-- int_telnyx_number_events), and its latest drift day, risk and enterprise pack into one
-- bigint whose max() is the latest row's (ties on a day: one row's, by risk then enterprise),
-- where a varchar account key and two arg_max() cost a fifth more CPU.
enterprise_codes as (
    select
        enterprise_key,
        account,
        case
            when dense_rank() over (order by account) < 8192
                then dense_rank() over (order by account)
            else error('score_drift_onsets: more than 8191 Telnyx accounts')
        end as account_code,
        case
            when row_number() over (order by enterprise_key) < 1048576
                then row_number() over (order by enterprise_key)
            else error('score_drift_onsets: more than 1048575 Telnyx enterprises')
        end as code,
    from (select distinct enterprise_key, account from enterprises)
),

-- Each row's drop packed into one bigint ordered as the worst drop is chosen: points dropped,
-- then the later day, then (ties: one row, by score name) the code's rank in name order
-- (connection, engagement, maturity, sentiment), above the fields it carries (score code, the
-- values before and now: 7 bits each). max() then picks the worst drop of a group, where an
-- arg_max over structs cost a full build 2.3 s of CPU at 100,000 numbers.
in_weeks as (
    select
        (c.account_code << 50) | d.phone_key as number_key,
        d.observed_on,
        (cast(d.observed_on - date '1970-01-01' as bigint) << 24)
        | (cast(d.risk_code as bigint) << 20) | c.code as latest_key,
        d.score_code,
        date_trunc('week', d.observed_on)::date as week_start,
        ((cast(d.value_before as bigint) - d.value_now) << 40)
        | (cast(d.observed_on - date '1970-01-01' as bigint) << 24)
        | (cast([3, 1, 2, 4][d.score_code] as bigint) << 21)
        | (cast(d.score_code as bigint) << 14)
        | (cast(d.value_before as bigint) << 7)
        | d.value_now as drop_key,
    from drift as d
    join enterprise_codes as c on c.enterprise_key = d.enterprise_key
),

-- Fixed-size aggregates only (the scores that fell as bits of a mask; the latest day, risk and
-- enterprise packed as above); the enterprise is named after the filter below.
per_week as (
    select
        week_start,
        number_key,
        min(observed_on) as first_drift_on,
        bit_or(1 << score_code) as scores_mask,
        max(drop_key) as worst,
        max(latest_key) as latest,
    from in_weeks
    group by week_start, number_key
),

-- A drift row in the 7 days before a week's Monday is a row in the week before.
new_in_week as (
    select per_week.*
    from per_week
    anti join per_week as week_before
        on week_before.number_key = per_week.number_key
        and week_before.week_start = per_week.week_start - 7
    where per_week.week_start >= coalesce(getvariable('callrep_since'), date '1900-01-01')
),

final as (
    select
        c.account,
        strftime(n.week_start, '%G-W%V') as iso_week,
        n.week_start,
        '+' || (n.number_key & 1125899906842623) as phone_number,
        e.enterprise_id,
        n.first_drift_on,
        date '1970-01-01' + cast(n.latest >> 24 as integer) as last_drift_on,
        concat_ws(
            ', ',
            case when n.scores_mask & 2 <> 0 then 'maturity' end,
            case when n.scores_mask & 4 <> 0 then 'connection' end,
            case when n.scores_mask & 8 <> 0 then 'engagement' end,
            case when n.scores_mask & 16 <> 0 then 'sentiment' end
        ) as scores_fell,
        (['maturity', 'connection', 'engagement', 'sentiment'])[(n.worst >> 14) & 7]
            as worst_score,
        cast(n.worst >> 40 as smallint) as worst_drop,
        cast((n.worst >> 7) & 127 as smallint) as worst_value_before,
        cast(n.worst & 127 as smallint) as worst_value_now,
        (['unknown', 'low', 'medium', 'high'])[((n.latest >> 20) & 3) + 1] as spam_risk,
    from new_in_week as n
    join enterprise_codes as c on c.code = n.latest & 1048575
    join enterprises as e
        on e.observed_on = date '1970-01-01' + cast(n.latest >> 24 as integer)
        and e.enterprise_key = c.enterprise_key
)

select * from final
