-- alert_run_closed
-- purpose: the episodes this run closes: every open episode of a rule evaluated now
--   (alert_evaluated: a rule whose sources have no collection in the latest week is not judged,
--   so its episodes stay as they are) whose item it no longer matches.
-- grain: episode
-- key: episode_id
-- parameters: $now (the run's time, UTC)
create or replace temp table alert_run_closed as
with closed as (
    select distinct episode_id from alert_episode_closings
),

open as (
    select alert_episodes.*
    from alert_episodes
    anti join closed on closed.episode_id = alert_episodes.episode_id
    semi join alert_evaluated on alert_evaluated.rule = alert_episodes.rule
),

final as (
    select open.episode_id, $now::timestamptz as closed_at,
    from open
    anti join alert_matches as matches
        on matches.rule = open.rule and matches.subject = open.subject
)

select * from final
