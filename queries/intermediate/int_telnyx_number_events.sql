-- int_telnyx_number_events
-- purpose: the observed days on which something happened to a number: its first observation,
--   a risk different from its previous observed day, or a score drop usable by score_drift.
--   Each row carries the previous observation (prev_*) and the latest observation 7 or more
--   days earlier (before_*). Incremental: the new days need only each number's observations
--   of the 7 days before them (of those after the last new day - 7, only the latest), plus
--   the latest observation before those of the few numbers not observed 7 days before, so a
--   daily build never re-sorts the history. Per account: one number seen in two accounts is
--   two histories (the window key folds an account code into the bits above the phone key).
-- grain: account x phone number x observed day with an event
-- key: account, phone_key, observed_on
-- materialized: incremental
-- incremental_on: observed_on

-- `not materialized`: DuckDB materialises a CTE read twice, here the whole history.
with number_days as not materialized (
    select * from int_telnyx_number_days
),

enterprise_days as (
    select * from int_telnyx_enterprise_days
),

-- Small codes per account and per enterprise, valid within this query only (decoded below).
-- An account code sits above the phone key's 50 bits (E.164 has at most 15 digits < 2^50) in
-- one bigint window key: 13 bits, so at most 8191 accounts (more is an error, never a mix).
account_codes as (
    select
        account,
        case
            when row_number() over (order by account) < 8192
                then row_number() over (order by account)
            else error('int_telnyx_number_events: more than 8191 Telnyx accounts')
        end as account_code,
    from (select distinct account from enterprise_days)
),

enterprise_codes as (
    select
        e.enterprise_key,
        e.account,
        a.account_code,
        -- 17 bits of the packed state below
        case
            when row_number() over (order by e.enterprise_key) < 131072
                then row_number() over (order by e.enterprise_key)
            else error('int_telnyx_number_events: more than 131071 Telnyx enterprises')
        end as code,
    from (select distinct enterprise_key, account from enterprise_days) as e
    join account_codes as a using (account)
),

-- Anything observed before the 7 days? None on a full build, which then
-- skips the anchors below (otherwise it would compute them for every number, to find none).
earlier as (
    select 1
    from number_days
    where observed_on < getvariable('callrep_since') - 7
    limit 1
),

-- An increment reads the 7 days before it on, plus the earlier days of the numbers of its
-- new days that were not observed 7 days before them (for the others those 7 days hold both
-- the previous observation and the latest one 7 or more days earlier): on a daily build, a
-- handful of numbers. A number of an account not observed then is not observed in any of the
-- account's enterprises, so these phone keys hold every such number (needs_anchor keeps
-- exactly those); a semi-join on the scan's own column, so the scan is filtered by the keys.
anchor_phones as (
    -- an anti join, not EXCEPT: EXCEPT leaves a projection that keeps the filter off the scan
    select new_days.phone_key
    from (
        -- filtered before the join: on a full build nothing reaches it
        select phone_key, enterprise_key
        from number_days
        where observed_on >= getvariable('callrep_since') and exists (select 1 from earlier)
    ) as new_days
    anti join (
        select phone_key, enterprise_key
        from number_days
        where observed_on = getvariable('callrep_since') - 7
    ) as week_before
        on week_before.phone_key = new_days.phone_key
        and week_before.enterprise_key = new_days.enterprise_key
),

read_days as not materialized (
    select * from number_days
    where observed_on >= getvariable('callrep_since') - 7
    union all
    select * from number_days
    where observed_on < getvariable('callrep_since') - 7
        and phone_key in (select phone_key from anchor_phones)
),

-- One bigint per observation, ordered by day first: day (16 bits) | risk (2) |
-- enterprise code (17) | the day's packed scores (28: four 7-bit fields, 127 = null). One sort
-- and one window then carry everything, and max() picks a number's latest observation.
packed as not materialized (
    select
        (c.account_code << 50) | d.phone_key as number_key,
        d.observed_on,
        (cast(d.observed_on - date '1970-01-01' as bigint) << 47)
        | (cast(d.risk_code as bigint) << 45)
        | (c.code << 28)
        | d.scores as state,
    from read_days as d
    join enterprise_codes as c on c.enterprise_key = d.enterprise_key
),

-- The new days' rows, and of the 7 days before them only what a new row can see: as its
-- latest observation 7 or more days earlier, a row of a day at most 7 days before the last
-- new day; as the previous observation, each number's latest row (the others of those days
-- would only make the window below sort three times as many rows on a daily build).
last_day as (
    select max(observed_on) as observed_on
    from number_days
    where observed_on >= getvariable('callrep_since')
),

recent as (
    select number_key, state
    from packed
    where observed_on >= getvariable('callrep_since')
    union all
    select number_key, state
    from packed
    where observed_on >= getvariable('callrep_since') - 7
        and observed_on < getvariable('callrep_since')
        and observed_on <= (select observed_on - 7 from last_day)
    union all
    select number_key, max(state) as state
    from packed
    where observed_on >= getvariable('callrep_since') - 7
        and observed_on < getvariable('callrep_since')
        and observed_on > (select observed_on - 7 from last_day)
    group by number_key
),

-- Only numbers of anchor_phones can need one, found by a semi-join on the scan's own column:
-- on a full build nothing reaches the join (a filter on packed, even exists(), would be applied
-- after its join, over every new row).
needs_anchor as (
    select (c.account_code << 50) | d.phone_key as number_key
    from number_days as d
    join enterprise_codes as c on c.enterprise_key = d.enterprise_key
    where d.observed_on >= getvariable('callrep_since')
        and d.phone_key in (select phone_key from anchor_phones)
    except
    select number_key from packed where observed_on = getvariable('callrep_since') - 7
),

anchors as (
    select number_key, max(state) as state
    from packed
    where observed_on < getvariable('callrep_since') - 7
        and number_key in (select number_key from needs_anchor)
    group by number_key
),

-- The previous observation is the row before; the latest observation 7 or more days earlier is
-- the last row of a range frame that ends at the highest state of day - 7 (the state minus
-- 6 days, minus its own low 47 bits, minus 1). One sort for both and no column per earlier
-- row: seven LAG()s and their coalesce cost an increment a third more CPU.
with_before as (
    select
        number_key,
        state,
        lag(state) over by_state as prev_state,
        last_value(state) over (
            by_state range between unbounded preceding
                and (cast(6 as bigint) << 47) + (state & 140737488355327) + 1 preceding
        ) as before_state,
    from (select * from recent union all select * from anchors)
    window by_state as (partition by number_key order by state)
),

new_rows as (
    select *
    from with_before
    where (state >> 47) >= cast(getvariable('callrep_since') - date '1970-01-01' as bigint)
),

-- A drop of 15+ points in one score, comparing 7-bit fields (127 = null never drops).
events as (
    select *
    from new_rows
    where prev_state is null
        or (prev_state >> 45) & 3 <> (state >> 45) & 3
        or (
            (state >> 45) & 3 in (1, 2)
            and before_state is not null
            and (
                (((state >> 21) & 127) + 15 <= (before_state >> 21) & 127
                    and (before_state >> 21) & 127 <> 127)
                or (((state >> 14) & 127) + 15 <= (before_state >> 14) & 127
                    and (before_state >> 14) & 127 <> 127)
                or (((state >> 7) & 127) + 15 <= (before_state >> 7) & 127
                    and (before_state >> 7) & 127 <> 127)
                or ((state & 127) + 15 <= before_state & 127 and before_state & 127 <> 127)
            )
        )
),

final as (
    select
        c.account,
        e.number_key & 1125899906842623 as phone_key,  -- the low 50 bits
        c.enterprise_key,
        date '1970-01-01' + cast(e.state >> 47 as integer) as observed_on,
        cast((e.state >> 45) & 3 as utinyint) as risk_code,
        cast(nullif((e.state >> 21) & 127, 127) as utinyint) as maturity_score,
        cast(nullif((e.state >> 14) & 127, 127) as utinyint) as connection_score,
        cast(nullif((e.state >> 7) & 127, 127) as utinyint) as engagement_score,
        cast(nullif(e.state & 127, 127) as utinyint) as sentiment_score,
        date '1970-01-01' + cast(e.prev_state >> 47 as integer) as prev_observed_on,
        cast((e.prev_state >> 45) & 3 as utinyint) as prev_risk_code,
        date '1970-01-01' + cast(e.before_state >> 47 as integer) as before_on,
        cast(nullif((e.before_state >> 21) & 127, 127) as utinyint) as maturity_before,
        cast(nullif((e.before_state >> 14) & 127, 127) as utinyint) as connection_before,
        cast(nullif((e.before_state >> 7) & 127, 127) as utinyint) as engagement_before,
        cast(nullif(e.before_state & 127, 127) as utinyint) as sentiment_before,
    from events as e
    join enterprise_codes as c on c.code = (e.state >> 28) & 131071
)

select * from final
