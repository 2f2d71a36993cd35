-- action_score_drift
-- purpose: early warnings: numbers still low or medium whose score fell by 15 points or more
--   against an observation 7+ days earlier (score_drift), on days in the report week. One row
--   per number and score (the week's latest such day). Most severe first: the largest drop.
-- grain: enterprise x phone number x score
-- key: enterprise_id, phone_number, score
-- parameters: $week_start, $week_end, $limit
with drift as (
    select *
    from score_drift
    where observed_on between $week_start and $week_end
    qualify row_number() over (
        partition by enterprise_id, phone_number, score order by observed_on desc
    ) = 1
),

final as (
    select
        drift.phone_number,
        drift.enterprise_id,
        coalesce(names.doing_business_as, names.legal_name, drift.enterprise_id)
            as enterprise_name,
        drift.score,
        value_before,
        before_on,
        value_now,
        observed_on,
        value_before - value_now as drop_points,
        count(*) over () as total_rows,
    from drift
    left join report_enterprises as names on names.enterprise_id = drift.enterprise_id
    order by drop_points desc, value_now asc, phone_number, score
    limit $limit
)

select * from final
