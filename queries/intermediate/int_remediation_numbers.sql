-- int_remediation_numbers
-- purpose: each number of each remediation request with its risk before the request and after
--   completion, judged by the freshness rule (an observation tells what happened after an event
--   only if its data was refreshed after the event), and the collection times at which its
--   re-flag window was settled (reflagged_at, window_observed_at; see
--   int_remediation_number_states for the outcome they give as of a time).
--   Reads its own previous rows: a daily build merges them with the observations of the days
--   from callrep_since on, and recomputes from the whole history only the numbers whose request
--   changed or is new, or whose latest observation before the request was itself on a
--   recomputed day (so the rows are exactly those of a build from scratch), and only the
--   observations each of their aggregates can use.
-- grain: remediation request (of one account) x phone number; a number is observed within its
--   account only
-- key: account, request_id, phone_number
-- materialized: table
-- columns:
--   account: the Telnyx account that submitted the request
--   request_id: Telnyx remediation request id
--   enterprise_id: Telnyx enterprise that submitted the request
--   phone_number: E.164 phone number
--   bucket: the number's bucket in the request's latest results
--   created_at: when the request was created
--   tier2_completed_at: when the request completed (null until then)
--   window_ends_at: tier2_completed_at + 30 days
--   risk_before: risk at the last observation collected before created_at
--   observed_before_at: collection time of that observation
--   risk_after: risk at the first observation refreshed after tier2_completed_at
--   refreshed_after_at: last_refreshed_at of that observation
--   observed_after_at: collection time of that observation
--   reflagged_at: remediated numbers: first collection of a high refreshed within the window
--   window_observed_at: remediated numbers: first collection refreshed at or after window_ends_at

with requests as (
    select * from stg_telnyx__remediation_requests
),

results as (
    select * from stg_telnyx__remediation_results
),

-- `not materialized`: read four times (the new days, and three narrow reads of the history)
number_days as not materialized (
    select * from int_telnyx_number_days
),

enterprise_days as (
    select * from int_telnyx_enterprise_days
),

runs as (
    select * from stg_telnyx__runs
),

previous as (
    select * from int_remediation_numbers
),

bounds as (
    -- observations collected from this time on may differ from those the previous rows saw
    select timezone('UTC', cast(getvariable('callrep_since') as timestamp)) as since_at
),

numbers as (
    select
        r.account,
        r.request_id,
        q.enterprise_id,
        r.phone_number,
        r.phone_key,
        r.bucket,
        q.created_at,
        q.tier2_completed_at,
        -- once per number: timestamptz + interval is calendar arithmetic, slow per observation
        q.tier2_completed_at + interval 30 day as window_ends_at,
    from results as r
    join requests as q using (account, request_id)
),

-- Previous rows of an unchanged request whose before-request observation is still known: a
-- new observation can only be later than the old ones, so a stored minimum collected before
-- since_at stays, and a stored maximum before since_at is the old days' part of the maximum.
kept as (
    select p.*, n.phone_key,
    from previous as p
    join numbers as n
        on n.account = p.account
        and n.request_id = p.request_id
        and n.phone_number = p.phone_number
        and n.bucket = p.bucket
        and n.enterprise_id is not distinct from p.enterprise_id
        and n.created_at is not distinct from p.created_at
        and n.tier2_completed_at is not distinct from p.tier2_completed_at
    cross join bounds as b
    where not (p.created_at > b.since_at and p.observed_before_at >= b.since_at)
),

recomputed as (
    select n.*, cast(timezone('UTC', n.created_at) as date) - 7 as before_from,
    from numbers as n
    anti join kept as k using (account, request_id, phone_number, bucket)
),

day_runs as (
    -- the account and collection time of each enterprise's observed days: one small join
    -- for the observations below instead of two
    select e.observed_on, e.enterprise_key, e.account, u.collected_at,
    from enterprise_days as e
    join runs as u on u.account = e.account and u.observed_on = e.observed_on
    where u.is_latest_of_day
),

-- The new days' observations of the numbers in remediation requests: a semi-join on the
-- scan's own column, so the scan itself is filtered by their keys.
new_observations as (
    select
        k.account,
        d.phone_key,
        d.risk_code,
        d.last_refreshed_at,
        k.collected_at,
    from (
        select phone_key, enterprise_key, observed_on, risk_code, last_refreshed_at
        from number_days
        where observed_on >= getvariable('callrep_since')
            and phone_key in (select phone_key from results)
    ) as d
    join day_runs as k on k.observed_on = d.observed_on and k.enterprise_key = d.enterprise_key
),

-- The recomputed numbers' observations (none on most daily builds), read as narrowly as each
-- aggregate allows: semi-joins on the scan's own columns, so the scan itself is filtered by
-- their keys (a scalar bound such as min(tier2_completed_at) is a join above the scan, which
-- then reads the whole history even when nothing is recomputed). After completion: only data
-- refreshed after the number's completion.
after_observations as (
    select
        k.account,
        d.phone_key,
        d.risk_code,
        d.last_refreshed_at,
        k.collected_at,
    from (
        select o.phone_key, o.enterprise_key, o.observed_on, o.risk_code, o.last_refreshed_at
        from number_days as o
        semi join recomputed as n
            on n.phone_key = o.phone_key and o.last_refreshed_at > n.tier2_completed_at
    ) as d
    join day_runs as k on k.observed_on = d.observed_on and k.enterprise_key = d.enterprise_key
),

-- Before the request: the recomputed numbers' observations from their before_from on.
recent_observations as (
    select
        k.account,
        d.phone_key,
        d.observed_on,
        d.risk_code,
        k.collected_at,
    from (
        select o.phone_key, o.enterprise_key, o.observed_on, o.risk_code
        from number_days as o
        semi join recomputed as n on n.phone_key = o.phone_key and o.observed_on >= n.before_from
    ) as d
    join day_runs as k on k.observed_on = d.observed_on and k.enterprise_key = d.enterprise_key
),

-- Observations collected before a recomputed request in its 7 days before: they hold the
-- latest one of a number observed then; only the others read the rest of their history.
recent_before as (
    select n.account, n.request_id, n.phone_number, o.risk_code, o.collected_at,
    from recomputed as n
    join recent_observations as o
        on o.account = n.account
        and o.phone_key = n.phone_key
        and o.observed_on >= n.before_from
        and o.collected_at < n.created_at
),

before_unseen as (
    select n.*
    from recomputed as n
    anti join recent_before as b using (account, request_id, phone_number)
),

older_observations as (
    select
        k.account,
        d.phone_key,
        d.risk_code,
        k.collected_at,
    from (
        select phone_key, enterprise_key, observed_on, risk_code
        from number_days
        where phone_key in (select phone_key from before_unseen)
    ) as d
    join day_runs as k on k.observed_on = d.observed_on and k.enterprise_key = d.enterprise_key
),

-- Each number's observations collected before its request: for a kept row, the new days'
-- (what it learns from them); for a recomputed one, its recent ones or else its older ones.
before_pairs as (
    select * from recent_before
    union all
    select n.account, n.request_id, n.phone_number, o.risk_code, o.collected_at,
    from kept as n
    join new_observations as o
        on o.account = n.account and o.phone_key = n.phone_key and o.collected_at < n.created_at
    union all
    select n.account, n.request_id, n.phone_number, o.risk_code, o.collected_at,
    from before_unseen as n
    join older_observations as o
        on o.account = n.account and o.phone_key = n.phone_key and o.collected_at < n.created_at
),

-- Each number's observations refreshed after its request's completion: for a kept row, the new
-- days'; for a recomputed one, its history's.
after_pairs as (
    select
        n.account, n.request_id, n.phone_number, n.window_ends_at,
        o.risk_code, o.last_refreshed_at, o.collected_at,
    from kept as n
    join new_observations as o
        on o.account = n.account
        and o.phone_key = n.phone_key
        and o.last_refreshed_at > n.tier2_completed_at
    union all
    select
        n.account, n.request_id, n.phone_number, n.window_ends_at,
        o.risk_code, o.last_refreshed_at, o.collected_at,
    from recomputed as n
    join after_observations as o
        on o.account = n.account
        and o.phone_key = n.phone_key
        and o.last_refreshed_at > n.tier2_completed_at
),

-- Two narrow aggregates instead of one wide one, each over only the observations it reads:
-- the latest collected before the request gives the risk before, the earliest collected of
-- those refreshed after completion the risk after (kept and recomputed rows never share a key).
before_request as (
    select
        account,
        request_id,
        phone_number,
        arg_max(risk_code, collected_at) as risk_before_code,
        max(collected_at) as observed_before_at,
    from before_pairs
    group by account, request_id, phone_number
),

after_completion as (
    select
        account,
        request_id,
        phone_number,
        arg_min(risk_code, collected_at) as risk_after_code,
        arg_min(last_refreshed_at, collected_at) as refreshed_after_at,
        min(collected_at) as observed_after_at,
        min(collected_at) filter (
            where risk_code = 3 and last_refreshed_at <= window_ends_at
        ) as reflagged_at,
        min(collected_at) filter (where last_refreshed_at >= window_ends_at)
            as window_observed_at,
    from after_pairs
    group by account, request_id, phone_number
),

merged as (
    select
        k.account,
        k.request_id,
        k.enterprise_id,
        k.phone_number,
        k.bucket,
        k.created_at,
        k.tier2_completed_at,
        k.window_ends_at,
        case
            when kb.observed_before_at is null then k.risk_before
            else (['unknown', 'low', 'medium', 'high'])[kb.risk_before_code + 1]
        end as risk_before,
        coalesce(kb.observed_before_at, k.observed_before_at) as observed_before_at,
        case
            when k.observed_after_at < b.since_at then k.risk_after
            else (['unknown', 'low', 'medium', 'high'])[ka.risk_after_code + 1]
        end as risk_after,
        case
            when k.observed_after_at < b.since_at then k.refreshed_after_at
            else ka.refreshed_after_at
        end as refreshed_after_at,
        case
            when k.observed_after_at < b.since_at then k.observed_after_at
            else ka.observed_after_at
        end as observed_after_at,
        case
            when k.bucket <> 'remediated' then null
            when k.reflagged_at < b.since_at then k.reflagged_at
            else ka.reflagged_at
        end as reflagged_at,
        case
            when k.bucket <> 'remediated' then null
            when k.window_observed_at < b.since_at then k.window_observed_at
            else ka.window_observed_at
        end as window_observed_at,
    from kept as k
    cross join bounds as b
    left join before_request as kb using (account, request_id, phone_number)
    left join after_completion as ka using (account, request_id, phone_number)
),

dated as (
    select
        n.account,
        n.request_id,
        n.enterprise_id,
        n.phone_number,
        n.bucket,
        n.created_at,
        n.tier2_completed_at,
        n.window_ends_at,
        (['unknown', 'low', 'medium', 'high'])[b.risk_before_code + 1] as risk_before,
        b.observed_before_at,
        (['unknown', 'low', 'medium', 'high'])[a.risk_after_code + 1] as risk_after,
        a.refreshed_after_at,
        a.observed_after_at,
        case when n.bucket = 'remediated' then a.reflagged_at end as reflagged_at,
        case when n.bucket = 'remediated' then a.window_observed_at end as window_observed_at,
    from recomputed as n
    left join before_request as b using (account, request_id, phone_number)
    left join after_completion as a using (account, request_id, phone_number)
),

final as (
    select * from dated
    union all by name
    select * from merged
)

select * from final
