-- weeks_collected
-- purpose: the ISO weeks (UTC) in which each source has at least one successful collection:
--   which weeks can be reported, and which source a week lacks.
-- grain: source x ISO week
-- key: source, week_start
-- parameters: none
with runs as (
    select * from stg_callrep__runs
    where status = 'succeeded'
),

final as (
    select
        source,
        week_start,
        count(*) as runs,
        max(collected_at) as last_collected_at,
    from runs
    group by source, week_start
    order by week_start, source
)

select * from final
