-- alert_pending
-- purpose: what one destination has not been told yet: each episode open after this run with no
--   'opened' announcement to it (kind opened), and each closed episode whose opening it was told
--   but not the end (kind resolved). An episode that opened and closed before any announcement
--   reached the destination is never announced to it.
-- grain: episode
-- key: episode_id
-- parameters: $destination (the SHA-256 of the destination's URL)
with told as (
    select episode_id, kind
    from alert_announcements
    where destination_sha256 = $destination
),

closings as (
    select episode_id, min(closed_at) as closed_at
    from (
        select episode_id, closed_at from alert_episode_closings
        union all
        select episode_id, closed_at from alert_run_closed
    )
    group by episode_id
),

open_now as (
    select episode_id, rule, subject, opened_at from alert_run_opened
    union all
    select open.episode_id, open.rule, open.subject, open.opened_at
    from alert_open as open
    anti join alert_run_closed as closed on closed.episode_id = open.episode_id
),

to_open as (
    select open_now.*, 'opened' as kind, null::timestamptz as closed_at,
    from open_now
    anti join (select * from told where kind = 'opened') as told
        on told.episode_id = open_now.episode_id
),

to_resolve as (
    select
        episodes.episode_id, episodes.rule, episodes.subject, episodes.opened_at,
        'resolved' as kind, closings.closed_at,
    from alert_episodes as episodes
    inner join closings on closings.episode_id = episodes.episode_id
    semi join (select * from told where kind = 'opened') as opened
        on opened.episode_id = episodes.episode_id
    anti join (select * from told where kind = 'resolved') as resolved
        on resolved.episode_id = episodes.episode_id
),

final as (
    select * from to_open
    union all
    select * from to_resolve
)

select * from final
order by kind, rule, subject
