-- alert_open
-- purpose: the episodes open before this run, one per (rule, subject): an episode is open until
--   a closing row names it; should two rows ever open the same item, the earliest counts (the
--   tables have no key constraint, so duplicates are resolved here, by query).
-- grain: rule x subject
-- key: rule, subject
-- parameters: none
create or replace temp table alert_open as
with closed as (
    select distinct episode_id from alert_episode_closings
),

open as (
    select alert_episodes.*
    from alert_episodes
    anti join closed on closed.episode_id = alert_episodes.episode_id
),

final as (
    select
        rule,
        subject,
        arg_min(episode_id, (opened_at, episode_id)) as episode_id,
        min(opened_at) as opened_at,
    from open
    group by rule, subject
)

select * from final
