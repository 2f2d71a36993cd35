-- int_plivo_business_days
-- purpose: a UTC calendar covering the Plivo data (a week before its earliest date to 60 days after
--   its latest) marking US business days (Monday to Friday, not a US federal holiday, observed dates
--   from `us_federal_holidays`) and numbering them, so "plus N business days" is a lookup.
-- grain: calendar day
-- key: day
-- materialized: table

with

numbers as (
    -- every row, successful run or not: only the date range is read here
    select * from plivo_number_snapshots
),

holidays as (
    select * from us_federal_holidays
),

bounds as (
    select
        timezone(
            'UTC', least(min(collected_at), min(att_updated_at), min(tmobile_updated_at))
        )::date - 7 as first_day,
        timezone(
            'UTC', greatest(max(collected_at), max(att_updated_at), max(tmobile_updated_at))
        )::date + 60 as last_day,
    from numbers
),

calendar_days as (
    select unnest(generate_series(first_day, last_day, interval 1 day))::date as day
    from bounds
    where first_day is not null
),

holiday_names as (
    select
        day,
        string_agg(name, '; ' order by name) as holiday_name,
    from holidays
    group by day
),

marked as (
    select
        calendar_days.day,
        isodow(calendar_days.day) <= 5 and holiday_names.day is null as is_business_day,
        holiday_names.holiday_name,
    from calendar_days
    left join holiday_names on holiday_names.day = calendar_days.day
),

final as (
    select
        day,
        is_business_day,
        holiday_name,
        -- business days on or before this day: equal for a business day and the days off after it
        sum(case when is_business_day then 1 else 0 end) over (order by day) as business_day_number,
    from marked
)

select * from final
