-- chart_remediation
-- purpose: the latest 30 remediation requests created by the report week's end, one row per
--   request and result bucket: every request keeps its rows (open, failed and cancelled ones
--   with zero numbers), so the bucket bars and the turnaround column line up request by request.
--   A request is labelled by its creation day and call purpose, short enough to be written
--   whole beside a phone-sized chart (the id and the full purpose stay in the tooltip);
--   `state` says what the turnaround column shows: days to complete, or why there are none.
-- grain: request x bucket
-- key: request_id, bucket
-- parameters: $as_of
with requests as (
    select *
    from remediation_outcomes
    where created_at < $as_of
    order by created_at desc, request_id
    limit 30
),

based as (
    select
        *,
        strftime(timezone('UTC', created_at), '%d %b') || ' · '
        || coalesce(
            case
                when length(call_purpose) > 10 then rtrim(left(call_purpose, 9)) || '…'
                else call_purpose
            end,
            'no purpose'
        ) as base_label,
    from requests
),

labelled as (
    select
        *,
        row_number() over (partition by base_label order by created_at, request_id)
            as same_label,
    from based
),

buckets as (
    unpivot (
        select request_id, status, created_at, hours_to_complete, base_label, same_label, call_purpose,
            remediated, not_flagged, requires_review, ineligible, refused
        from labelled
    )
    on remediated, not_flagged, requires_review, ineligible, refused
    into name bucket value numbers
),

final as (
    select
        request_id,
        call_purpose,
        base_label || case when same_label > 1 then ' #' || same_label else '' end
            as request_label,
        created_at,
        status,
        replace(bucket, '_', ' ') as bucket,
        coalesce(numbers, 0)::bigint as numbers,
        round(hours_to_complete / 24.0, 1) as days_to_complete,
        case
            when status = 'completed' then printf('%.1f d', hours_to_complete / 24.0)
            when status in ('pending', 'in_progress') then 'open'
            else status
        end as state,
    from buckets
    order by created_at, request_id, bucket
)

select * from final
