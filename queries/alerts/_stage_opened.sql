-- alert_run_opened
-- purpose: the episodes this run opens: each item a rule matches now (alert_matches) that has no
--   open episode, with an id callrep generates (a random UUID: no sequence).
-- grain: rule x subject
-- key: episode_id
-- parameters: $now (the run's time, UTC)
create or replace temp table alert_run_opened as
select
    gen_random_uuid()::varchar as episode_id,
    matches.rule,
    matches.subject,
    $now::timestamptz as opened_at,
from alert_matches as matches
anti join alert_open as open on open.rule = matches.rule and open.subject = matches.subject
