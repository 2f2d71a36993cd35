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

observations as (
    -- only the numbers in remediation requests (a semi-join before the join to the runs)
    select
        e.account,
        d.phone_key,
        d.risk_code,
        d.last_refreshed_at,
        u.collected_at,
    from (
        select phone_key, enterprise_key, observed_on, risk_code, last_refreshed_at
        from number_days
        where phone_key in (select phone_key from results)
    ) as d
    -- the enterprise key names the account
    join enterprise_days as e
        on e.observed_on = d.observed_on and e.enterprise_key = d.enterprise_key
    join (
        select account, observed_on, collected_at
        from runs
        where is_latest_of_day
    ) as u on u.account = e.account and u.observed_on = d.observed_on
),

per_number as (
    select
        n.account,
        n.request_id,
        n.phone_number,
        arg_max(o.risk_code, o.collected_at) filter (where o.collected_at < n.created_at)
            as risk_before_code,
        max(o.collected_at) filter (where o.collected_at < n.created_at) as observed_before_at,
        arg_min(o.risk_code, o.collected_at) filter (
            where o.last_refreshed_at > n.tier2_completed_at
        ) as risk_after_code,
        arg_min(o.last_refreshed_at, o.collected_at) filter (
            where o.last_refreshed_at > n.tier2_completed_at
        ) as refreshed_after_at,
        min(o.collected_at) filter (where o.last_refreshed_at > n.tier2_completed_at)
            as observed_after_at,
        min(o.collected_at) filter (
            where o.risk_code = 3
                and o.last_refreshed_at > n.tier2_completed_at
                and o.last_refreshed_at <= n.window_ends_at
        ) as reflagged_at,
        min(o.collected_at) filter (where o.last_refreshed_at >= n.window_ends_at)
            as window_observed_at,
    from numbers as n
    left join observations as o on o.account = n.account and o.phone_key = n.phone_key
    group by n.account, n.request_id, n.phone_number
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
