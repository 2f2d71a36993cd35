-- alert_items
-- purpose: the items after this run: every open episode (status new when this run opened it,
--   else open) and every episode this run closed (resolved).
-- grain: episode
-- key: episode_id
-- parameters: none
with still_open as (
    select open.*
    from alert_open as open
    anti join alert_run_closed as closed on closed.episode_id = open.episode_id
),

resolved as (
    select alert_episodes.*, closed.closed_at
    from alert_episodes
    inner join alert_run_closed as closed on closed.episode_id = alert_episodes.episode_id
),

final as (
    select episode_id, rule, subject, 'new' as status, opened_at, null::timestamptz as closed_at,
    from alert_run_opened
    union all
    select episode_id, rule, subject, 'open', opened_at, null::timestamptz,
    from still_open
    union all
    select episode_id, rule, subject, 'resolved', opened_at, closed_at,
    from resolved
)

select * from final
order by rule, status, subject
