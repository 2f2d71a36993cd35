-- int_telnyx_number_events
-- purpose: the observed days on which something happened to a number: its first observation,
--   a risk different from its previous observed day, or a score drop usable by score_drift.
--   Each row carries the previous observation (prev_*) and the latest observation 7 or more
--   days earlier (before_*). Incremental: the new days need only each number's observations
--   of the 7 days before them (on a daily build, of the 6 after the 7th only the latest), plus
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

-- The new days' rows, and of the 7 days before them only what a new row can see: on a daily
-- build, the rows of the day 7 before and each number's latest row of the 6 days after it (as
-- the previous observation: all of those days would make the window sort three times as many
-- rows). An increment of several days reads all 7 days, so that, as in a full build, a new
-- row's observation 7 days earlier is the row 7 before it (with_before).
last_day as (
    select
        max(observed_on) as observed_on,
        -- the last of the 7 days before whose rows are read one by one
        case
            when max(observed_on) > getvariable('callrep_since')
                then getvariable('callrep_since') - 1
            else max(observed_on) - 7
        end as folded_from,
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
        and observed_on <= (select folded_from from last_day)
    union all
    select number_key, max(state) as state
    from packed
    where observed_on >= getvariable('callrep_since') - 7
        and observed_on < getvariable('callrep_since')
        and observed_on > (select folded_from from last_day)
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

-- The previous observation is the row before. The latest observation 7 or more days earlier
-- (a state below `bound`, the first state of day - 6) is found with ROWS offsets only: a RANGE
-- frame (last_value up to the state minus 6 days) cost a full build 12 of its 31 CPU-s. In
-- daily data it is the row 7 before (`week_state`, when the row 6 before is of a later day);
-- on a daily build, whose 6 days before are folded into 1 row (recent), the row 2 before;
-- the previous row after a gap of 7 days or more; none when the first row is too late. The
-- others (after a missed day, a number in two enterprises of one account, an increment of
-- several days) are `inexact`: resolved exactly below, over the few rows they can see.
with_before as (
    select
        number_key,
        state,
        lag(state) over by_state as prev_state,
        lag(state, 2) over by_state as state_2_before,
        lag(state, 6) over by_state as state_6_before,
        lag(state, 7) over by_state as week_state,
        first_value(state) over (
            by_state rows between unbounded preceding and current row
        ) as first_state,
    from (select * from recent union all select * from anchors)
    window by_state as (partition by number_key order by state)
),

-- `weekly`: the row 7 before is the answer (checked on every row, so only two comparisons).
new_rows as (
    select
        *,
        coalesce(week_state < bound and state_6_before >= bound, false) as weekly,
        week_state as before_state,
    from (select *, ((state >> 47) - 6) << 47 as bound from with_before)
    where (state >> 47) >= cast(getvariable('callrep_since') - date '1970-01-01' as bigint)
),

-- The weekly rows that are events (the condition of `events` below) and every other row: a
-- tenth of the rows, kept (materialized) so the rest of the query reads them, not the window.
pending as materialized (
    select
        number_key, state, prev_state, state_2_before, state_6_before, first_state, bound,
        weekly, before_state,
    from new_rows
    where not weekly
        or prev_state is null
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

-- `lowest`: the earliest state an inexact row's answer can be (it is below its bound).
resolved as materialized (
    select
        number_key,
        state,
        prev_state,
        bound,
        case
            when weekly then before_state
            when prev_state < bound then prev_state
            when state_2_before < bound then state_2_before
        end as before_state,
        not weekly
            and first_state < bound
            and prev_state >= bound
            and state_2_before >= bound as inexact,
        case when state_6_before < bound then state_6_before else first_state end as lowest,
    from pending
),

inexact_bounds as (
    select number_key, min(lowest) as lowest, max(bound) as bound
    from resolved
    where inexact
    group by number_key
),

-- Each number's days from its lowest to its highest bound, as a semi-join on the scan's own
-- columns (a range of days over all numbers would, with a few numbers inexact all year, read
-- every row; after a missed day every number is inexact for 7 days).
inexact_days as (
    select distinct
        number_key & 1125899906842623 as phone_key,
        unnest(generate_series(
            date '1970-01-01' + cast(lowest >> 47 as integer),
            date '1970-01-01' + cast(bound >> 47 as integer),
            interval 1 day
        ))::date as observed_on,
    from inexact_bounds
),

-- Those rows, from the whole history (the rows the window read hold the answer, so the
-- history gives the same one): a number in two enterprises has every row inexact, yet each of
-- its rows is read once, never once per inexact row.
candidates as (
    select c.number_key, c.state
    from (
        select
            (e.account_code << 50) | d.phone_key as number_key,
            (cast(d.observed_on - date '1970-01-01' as bigint) << 47)
            | (cast(d.risk_code as bigint) << 45)
            | (e.code << 28)
            | d.scores as state,
        from number_days as d
        semi join inexact_days as i on i.phone_key = d.phone_key and i.observed_on = d.observed_on
        join enterprise_codes as e on e.enterprise_key = d.enterprise_key
    ) as c
    join inexact_bounds as b
        on b.number_key = c.number_key and c.state >= b.lowest and c.state < b.bound
),

-- An inner join: the lowest state is itself a candidate below the bound.
exact as (
    select p.number_key, p.state, p.prev_state, c.state as before_state
    from (select * from resolved where inexact) as p
    asof join candidates as c on c.number_key = p.number_key and c.state < p.bound
),

settled as (
    select number_key, state, prev_state, before_state from resolved where not inexact
    union all
    select * from exact
),

-- A drop of 15+ points in one score, comparing 7-bit fields (127 = null never drops); the
-- condition of `pending`, now over the exact before_state of every row.
events as (
    select *
    from settled
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
