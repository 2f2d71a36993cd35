-- notes_telnyx_refresh
-- purpose: how fresh Telnyx reputation data is as of the report week's end: the oldest
--   last_refreshed_at and the numbers number_overview flags stale (no refresh for more than 7 days
--   before the week's last Telnyx collection, or never), from int_number_overview_weeks.
-- grain: one row
-- key: none
-- parameters: none (reads report_overview)
with monitored as (
    select * from report_overview
    where in_telnyx
),

final as (
    select
        min(last_refreshed_at) as oldest_refresh,
        count(*) filter (where stale) as stale_numbers,
        count(*) filter (where last_refreshed_at is null) as never_refreshed,
        count(*) as numbers,
    from monitored
)

select * from final
