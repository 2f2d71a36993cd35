-- collection_failed
-- alert: collection-failed
-- order: 9
-- title: Collections that failed
-- sources: none
-- next_step: "<source> collection failed at <time>: <error>; fix the cause, then collect again"
--   (a later successful collection of the source ends the episode).
-- purpose: each account's source whose latest collection run (succeeded or failed, by start time) failed,
--   from the run ledger (stg_callrep__runs), with the error it recorded (redacted at the source).
-- grain: account x source
-- key: account, source
-- alert_subject: account, source
-- alert_label: source
-- parameters: none
with runs as (
    select * from stg_callrep__runs
    where status in ('succeeded', 'failed')
),

latest as (
    select account, source, arg_max(run_id, (started_at, run_id)) as run_id
    from runs
    group by account, source
),

final as (
    select
        runs.account,
        runs.source,
        runs.run_id,
        runs.started_at,
        runs.error,
        runs.source || ' collection failed at '
            || strftime(timezone('UTC', runs.started_at), '%a %-d %b %H:%M UTC') || ': '
            || coalesce(runs.error, 'no error recorded') || '; fix the cause, then collect again'
            as next_step,
    from latest
    inner join runs on runs.run_id = latest.run_id
    where runs.status = 'failed'
    order by runs.source, runs.account
)

select * from final
