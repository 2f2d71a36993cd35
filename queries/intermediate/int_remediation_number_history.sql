-- int_remediation_number_history
-- purpose: each number ever submitted for remediation as of each cut-off of
--   int_remediation_number_states (each ISO week's end with a Telnyx run, and now), with its
--   recommendation; the one definition of the recommendation rules (see
--   remediation_number_history). A request is in flight at a cut-off when it was created before
--   it and had not finished before it (int_remediation_request_spans).
-- grain: account x cut-off x phone number
-- key: account, as_of, phone_number
-- materialized: view

with states as (
    select * from int_remediation_number_states
),

numbers as (
    select * from int_remediation_numbers
),

requests as (
    select * from int_remediation_request_spans
),

settings as (
    select * from callrep_settings
),

-- Each number's requests in the order they were submitted (created_at, then request_id): one
-- small sort, so the aggregates per cut-off below compare integers, not (time, id) pairs.
submissions as (
    select
        account,
        request_id,
        phone_number,
        row_number() over (
            partition by account, phone_number order by created_at, request_id
        ) as submission,
    from numbers
),

numbered as (
    select s.*, n.submission,
    from states as s
    join submissions as n using (account, request_id, phone_number)
),

cutoffs as (
    select distinct account, as_of, cutoff from states
),

in_flight as (
    select distinct c.account, c.as_of, f.enterprise_id
    from cutoffs as c
    join requests as f
        on f.account = c.account
        and f.created_at < c.cutoff
        and (f.finished_at is null or f.finished_at >= c.cutoff)
),

per_number as (
    select
        account,
        as_of,
        any_value(cutoff) as cutoff,
        phone_number,
        arg_max(enterprise_id, submission) as enterprise_id,
        count(*) as times_submitted,
        -- sorting one list per group: string_agg(... order by ...) sorts far slower
        array_to_string(
            list_transform(
                list_sort(list({'submission': submission, 'bucket': bucket})), x -> x.bucket
            ),
            ' > '
        ) as bucket_sequence,
        min(created_at) as first_submitted_at,
        max(created_at) as last_submitted_at,
        arg_max(bucket, submission) as last_bucket,
        arg_max(outcome, submission) as last_outcome,
        count(*) filter (where bucket = 'remediated') as times_remediated,
        count(*) filter (where outcome = 'reflagged') as times_reflagged,
        count(*) filter (where bucket <> 'ineligible') as charged_submissions,
    from numbered
    group by account, as_of, phone_number
),

final as (
    select
        p.account,
        p.as_of,
        p.cutoff,
        p.phone_number,
        p.enterprise_id,
        p.times_submitted,
        p.bucket_sequence,
        p.first_submitted_at,
        p.last_submitted_at,
        p.last_bucket,
        p.last_outcome,
        p.times_remediated,
        p.times_reflagged,
        p.charged_submissions,
        round(p.charged_submissions * s.telnyx_remediation_usd, 6) as remediation_usd,
        case
            when p.times_reflagged >= 2 then 'rotate'
            when f.enterprise_id is not null then 'wait'
            when p.last_outcome = 'open' then 'wait'
            when p.last_bucket = 'ineligible' then 'wait'
            when p.last_bucket in ('requires_review', 'refused') then 'review'
            when p.last_outcome = 'reflagged' then 'resubmit'
            else 'none'
        end as recommendation,
    from per_number as p
    left join in_flight as f
        on f.account = p.account and f.as_of = p.as_of and f.enterprise_id = p.enterprise_id
    -- last: DuckDB writes a view's `cross join` as a comma, which a later join would outbind
    -- (`p, s left join f on f.account = p.account` fails to bind: the DuckLake copy of a view)
    cross join settings as s
)

select * from final
