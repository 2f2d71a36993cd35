-- int_remediation_number_states
-- purpose: the outcome of each number of each completed remediation request as of each cut-off of
--   its account: the end of every ISO week with a Telnyx run of the account (exclusive: Monday
--   00:00 UTC after it) and now (everything the account collected). The one definition of the outcome rule, using only observations
--   collected before the cut-off: a remediated number is reflagged once reflagged_at is before
--   it; else stayed_clean once window_observed_at is; else unmonitored once window_ends_at is
--   (no data refreshed 30 days after completion and no high within: never counted clean); else
--   open. Other buckets have no outcome. A request counts from the first cut-off after its
--   completion (its results are unknown before).
-- grain: account x cut-off x remediation request x phone number
-- key: account, as_of, request_id, phone_number
-- materialized: view

with numbers as (
    select * from int_remediation_numbers
),

runs as (
    select * from stg_telnyx__runs
),

cutoffs as (
    select distinct
        account,
        strftime(date_trunc('week', observed_on), '%G-W%V') as as_of,
        timezone('UTC', cast(date_trunc('week', observed_on) + interval 7 day as timestamp))
            as cutoff,
    from runs
    union all
    -- now: everything collected (timestamps have microsecond precision)
    select account, 'now' as as_of, max(collected_at) + interval 1 microsecond as cutoff
    from runs
    group by account
),

final as (
    select
        n.account,
        c.as_of,
        c.cutoff,
        n.request_id,
        n.enterprise_id,
        n.phone_number,
        n.bucket,
        n.created_at,
        n.tier2_completed_at,
        n.window_ends_at,
        n.window_ends_at <= c.cutoff as is_window_closed,
        case
            when n.bucket <> 'remediated' then null
            when n.reflagged_at < c.cutoff then 'reflagged'
            when n.window_observed_at < c.cutoff then 'stayed_clean'
            when n.window_ends_at <= c.cutoff then 'unmonitored'
            else 'open'
        end as outcome,
    from cutoffs as c
    join numbers as n on n.account = c.account and n.tier2_completed_at < c.cutoff
)

select * from final
