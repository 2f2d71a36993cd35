-- headline_remediation
-- purpose: remediation success rate over the requests completed by each cut-off:
--   remediated / (remediated + requires_review + refused), null when that is 0.
-- grain: period (current = by the report week's end, previous = by the week before's end)
-- key: period
-- parameters: $as_of, $prev_as_of
with cutoffs as (
    select 'current' as period, $as_of::timestamptz as cutoff
    union all
    select 'previous' as period, $prev_as_of::timestamptz as cutoff
),

completed as (
    select
        cutoffs.period,
        count(r.request_id) as requests,
        coalesce(sum(r.remediated), 0)::bigint as remediated,
        coalesce(sum(r.requires_review), 0)::bigint as requires_review,
        coalesce(sum(r.refused), 0)::bigint as refused,
    from cutoffs
    left join remediation_outcomes as r on r.tier2_completed_at < cutoffs.cutoff
    group by cutoffs.period
),

final as (
    select
        *,
        remediated / nullif(remediated + requires_review + refused, 0) as success_rate,
    from completed
)

select * from final
