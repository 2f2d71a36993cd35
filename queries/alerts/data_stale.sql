-- data_stale
-- alert: data-stale
-- order: 10
-- title: Stale data
-- sources: none
-- next_step: a source: "no successful <source> collection since <time>: check the scheduled
--   collect and its log"; a number: "Telnyx last refreshed it on <day> (or never): check its
--   refresh schedule".
-- purpose: what callrep cannot vouch for: each source with a run in the ledger but no successful
--   collection in the 26 hours before $now, and each monitored Telnyx number that
--   number_overview flags stale as of the latest collection (no refresh for more than 7 days
--   before it, or never: the one rule, int_number_overview_flags).
-- grain: subject (a source or a phone number)
-- key: account, subject
-- alert_subject: account, subject
-- alert_label: subject
-- parameters: $now (the evaluation time, UTC)
with runs as (
    select * from stg_callrep__runs
),

sources as (
    select
        account,
        source,
        max(collected_at) filter (where status = 'succeeded') as last_success_at,
    from runs
    group by account, source
),

stale_sources as (
    select
        account,
        source as subject,
        'source' as kind,
        last_success_at as since,
        'no successful ' || source || ' collection since '
            || coalesce(strftime(timezone('UTC', last_success_at), '%a %-d %b %H:%M UTC'), 'ever')
            || ': check the scheduled collect and its log' as next_step,
    from sources
    where last_success_at is null
        or last_success_at < $now::timestamptz - interval 26 hour
),

stale_numbers as (
    select
        account,
        phone_number as subject,
        'number' as kind,
        last_refreshed_at as since,
        'Telnyx last refreshed it '
            || coalesce('on ' || strftime(timezone('UTC', last_refreshed_at), '%a %-d %b'), 'never')
            || ': check its refresh schedule' as next_step,
    from report_overview
    where stale
),

final as (
    select * from stale_sources
    union all
    select * from stale_numbers
    order by kind desc, subject, account
)

select * from final
