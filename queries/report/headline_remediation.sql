-- headline_remediation
-- purpose: is remediation working? Over the requests completed in the 12 weeks before each week's
--   end whose 30-day window had closed by then: the durable success rate (remediated numbers that
--   stayed clean / (remediated + requires_review + refused)) next to Telnyx's label rate
--   (remediated / the same), and the numbers that came back high among all requests completed in
--   those 12 weeks. Each as of its week's end, from remediation_outcomes_weekly.
-- grain: period (current = the report week, previous = the week before)
-- key: period
-- parameters: $week, $prev_week (ISO week labels such as 2026-W46)
with periods as (
    select 'current' as period, $week as iso_week
    union all
    select 'previous' as period, $prev_week as iso_week
),

weekly as (
    select * from remediation_outcomes_weekly
    where iso_week in ($week, $prev_week)
        and tier2_completed_at >= week_ends_at - interval 84 day
),

per_week as (
    select
        iso_week,
        count(*) filter (where is_window_closed) as requests,
        coalesce(sum(remediated) filter (where is_window_closed), 0)::bigint as remediated,
        coalesce(sum(requires_review) filter (where is_window_closed), 0)::bigint
            as requires_review,
        coalesce(sum(refused) filter (where is_window_closed), 0)::bigint as refused,
        coalesce(sum(stayed_clean) filter (where is_window_closed), 0)::bigint as stayed_clean,
        coalesce(sum(unmonitored) filter (where is_window_closed), 0)::bigint as unmonitored,
        coalesce(sum(reflagged), 0)::bigint as came_back_high,
    from weekly
    group by iso_week
),

final as (
    select
        periods.period,
        coalesce(w.requests, 0) as requests,
        coalesce(w.remediated, 0) as remediated,
        coalesce(w.requires_review, 0) as requires_review,
        coalesce(w.refused, 0) as refused,
        coalesce(w.stayed_clean, 0) as stayed_clean,
        coalesce(w.unmonitored, 0) as unmonitored,
        coalesce(w.came_back_high, 0) as came_back_high,
        w.remediated / nullif(w.remediated + w.requires_review + w.refused, 0) as success_rate,
        w.stayed_clean / nullif(w.remediated + w.requires_review + w.refused, 0)
            as durable_success_rate,
    from periods
    left join per_week as w using (iso_week)
)

select * from final
