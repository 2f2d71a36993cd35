-- chart_remediation
-- purpose: result buckets and turnaround of the latest 30 remediation requests created by the
--   report week's end.
-- grain: request x bucket
-- key: request_id, bucket
-- parameters: $as_of
with requests as (
    select *
    from remediation_outcomes
    where created_at < $as_of
    order by created_at desc
    limit 30
),

buckets as (
    unpivot (
        select request_id, created_at, hours_to_complete,
            remediated, not_flagged, requires_review, ineligible, refused
        from requests
    )
    on remediated, not_flagged, requires_review, ineligible, refused
    into name bucket value numbers
),

final as (
    select
        request_id,
        strftime(timezone('UTC', created_at), '%Y-%m-%d') || ' ' || request_id as request_label,
        created_at,
        replace(bucket, '_', ' ') as bucket,
        numbers::bigint as numbers,
        round(hours_to_complete / 24.0, 1) as days_to_complete,
    from buckets
    order by created_at, request_id, bucket
)

select * from final
