-- int_remediation_numbers
-- purpose: each number of each remediation request with its risk before the request and after
--   completion, judged by the freshness rule (an observation tells what happened after an event
--   only if its data was refreshed after the event), and the collection times at which its
--   re-flag window was settled (reflagged_at, window_observed_at; see
--   int_remediation_number_states for the outcome they give as of a time).
-- grain: remediation request (of one account) x phone number; a number is observed within its
--   account only
-- key: account, request_id, phone_number
-- materialized: table

with requests as (
    select * from stg_telnyx__remediation_requests
),

results as (
    select * from stg_telnyx__remediation_results
),

number_days as (
    select * from int_telnyx_number_days
),

enterprise_days as (
    select * from int_telnyx_enterprise_days
),

runs as (
    select * from stg_telnyx__runs
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

day_runs as (
    -- the account and collection time of each enterprise's observed days: one small join
    -- for the observations below instead of two
    select e.observed_on, e.enterprise_key, e.account, u.collected_at,
    from enterprise_days as e
    join runs as u on u.account = e.account and u.observed_on = e.observed_on
    where u.is_latest_of_day
),

observations as (
    -- only the numbers in remediation requests: a semi-join on the scan's own column, so the
    -- scan itself is filtered by their keys
    select
        k.account,
        d.phone_key,
        d.risk_code,
        d.last_refreshed_at,
        k.collected_at,
    from (
        select phone_key, enterprise_key, observed_on, risk_code, last_refreshed_at
        from number_days
        where phone_key in (select phone_key from stg_telnyx__remediation_results)
    ) as d
    join day_runs as k on k.observed_on = d.observed_on and k.enterprise_key = d.enterprise_key
),

-- Two narrow aggregates instead of one wide one, each over only the observations it reads:
-- those collected before the request (the latest gives the risk before), and those refreshed
-- after its completion (the earliest collected gives the risk after).
before_request as (
    select
        n.account,
        n.request_id,
        n.phone_number,
        arg_max(o.risk_code, o.collected_at) as risk_before_code,
        max(o.collected_at) as observed_before_at,
    from numbers as n
    join observations as o
        on o.account = n.account
        and o.phone_key = n.phone_key
        and o.collected_at < n.created_at
    group by n.account, n.request_id, n.phone_number
),

after_completion as (
    select
        n.account,
        n.request_id,
        n.phone_number,
        arg_min(o.risk_code, o.collected_at) as risk_after_code,
        arg_min(o.last_refreshed_at, o.collected_at) as refreshed_after_at,
        min(o.collected_at) as observed_after_at,
        min(o.collected_at) filter (
            where o.risk_code = 3 and o.last_refreshed_at <= n.window_ends_at
        ) as reflagged_at,
        min(o.collected_at) filter (where o.last_refreshed_at >= n.window_ends_at)
            as window_observed_at,
    from numbers as n
    join observations as o
        on o.account = n.account
        and o.phone_key = n.phone_key
        and o.last_refreshed_at > n.tier2_completed_at
    group by n.account, n.request_id, n.phone_number
),

per_number as (
    select
        n.account,
        n.request_id,
        n.phone_number,
        b.risk_before_code,
        b.observed_before_at,
        a.risk_after_code,
        a.refreshed_after_at,
        a.observed_after_at,
        a.reflagged_at,
        a.window_observed_at,
    from numbers as n
    left join before_request as b using (account, request_id, phone_number)
    left join after_completion as a using (account, request_id, phone_number)
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
        (['unknown', 'low', 'medium', 'high'])[p.risk_before_code + 1] as risk_before,
        p.observed_before_at,
        (['unknown', 'low', 'medium', 'high'])[p.risk_after_code + 1] as risk_after,
        p.refreshed_after_at,
        p.observed_after_at,
        case when n.bucket = 'remediated' then p.reflagged_at end as reflagged_at,
        case when n.bucket = 'remediated' then p.window_observed_at end as window_observed_at,
    from numbers as n
    join per_number as p using (account, request_id, phone_number)
),

final as (
    select * from dated
)

select * from final
