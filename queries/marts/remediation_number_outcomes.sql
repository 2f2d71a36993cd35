-- remediation_number_outcomes
-- purpose: each number of each remediation request: its bucket, its risk before the request
--   and after completion, and whether a remediated number was flagged high again within 30 days.
--   Observations are each day's latest successful Telnyx run; "now" is the latest snapshot.
-- grain: remediation request x phone number
-- key: request_id, phone_number
-- materialized: table
-- columns:
--   request_id: Telnyx remediation request id
--   enterprise_id: Telnyx enterprise that submitted the request
--   phone_number: E.164 phone number
--   bucket: remediated, not_flagged, requires_review, ineligible or refused
--   risk_before: risk at the last observation before the request's created_at (null if none)
--   observed_before_at: collection time of that observation
--   risk_after: risk at the first observation after tier2_completed_at (null if none yet)
--   observed_after_at: collection time of that observation
--   reflagged_within_30d: for remediated numbers, true as soon as an observation within 30 days
--     after completion is high, false once 30 days have passed without one; else null

with requests as (
    select * from stg_telnyx__remediation_requests
),

results as (
    select * from stg_telnyx__remediation_results
),

number_days as (
    select * from int_telnyx_number_days
),

runs as (
    select * from stg_telnyx__runs
),

now as (
    select collected_at as latest_collected_at from stg_callrep__latest_runs where source = 'telnyx'
),

numbers as (
    select
        r.request_id,
        q.enterprise_id,
        r.phone_number,
        r.phone_key,
        r.bucket,
        q.created_at,
        q.tier2_completed_at,
        -- once per number: timestamptz + interval is calendar arithmetic, slow per observation
        q.tier2_completed_at + interval 30 day as reflag_window_end,
    from results as r
    join requests as q using (request_id)
),

observations as (
    -- only the numbers in remediation requests (a semi-join before the join to the runs); the
    -- risk code rides in the low bits of the collection time, so arg_max/arg_min become max/min
    -- (one observation per number and collection time, so no ties)
    select
        d.phone_key,
        d.risk_code,
        u.collected_at,
        u.packed_at + d.risk_code as packed,
    from (
        select phone_key, observed_on, risk_code
        from number_days
        where phone_key in (select phone_key from results)
    ) as d
    join (
        select observed_on, collected_at, epoch_us(collected_at) * 4 as packed_at
        from runs
        where is_latest_of_day
    ) as u on u.observed_on = d.observed_on
),

per_number as (
    select
        n.request_id,
        n.phone_number,
        max(o.packed) filter (where o.collected_at < n.created_at) % 4 as risk_before_code,
        max(o.collected_at) filter (where o.collected_at < n.created_at) as observed_before_at,
        min(o.packed) filter (where o.collected_at > n.tier2_completed_at) % 4
            as risk_after_code,
        min(o.collected_at) filter (where o.collected_at > n.tier2_completed_at)
            as observed_after_at,
        bool_or(o.risk_code = 3) filter (
            where o.collected_at > n.tier2_completed_at
                and o.collected_at <= n.reflag_window_end
        ) as high_within_30d,
    from numbers as n
    left join observations as o on o.phone_key = n.phone_key
    group by n.request_id, n.phone_number
),

final as (
    select
        n.request_id,
        n.enterprise_id,
        n.phone_number,
        n.bucket,
        (['unknown', 'low', 'medium', 'high'])[p.risk_before_code + 1] as risk_before,
        p.observed_before_at,
        (['unknown', 'low', 'medium', 'high'])[p.risk_after_code + 1] as risk_after,
        p.observed_after_at,
        case
            when n.bucket <> 'remediated' or n.tier2_completed_at is null then null
            when coalesce(p.high_within_30d, false) then true
            when (select latest_collected_at from now) >= n.tier2_completed_at + interval 30 day
                then false
        end as reflagged_within_30d,
    from numbers as n
    join per_number as p using (request_id, phone_number)
)

select * from final
