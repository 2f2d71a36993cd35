-- int_cost_telnyx_days
-- purpose: Telnyx cost per enterprise and UTC day as observed (the one definition of each charge's
--   day): the base fee on the month's first day the reputation status read approved, the day's
--   scheduled checks, remediation per number submitted in requests created that day; plus, at the
--   day's fleet, frequency and status, the checks still due in the rest of the day's month and the
--   cost of the following month (what a projection made on that day expects).
-- grain: account x day x enterprise
-- key: account, day, enterprise_id
-- materialized: table

with

settings as (
    select * from callrep_settings
),

enterprise_days as (
    select * from int_cost_telnyx_enterprise_days
),

check_days as (
    select * from int_cost_check_days
),

requests as (
    select * from stg_telnyx__remediation_requests
),

remediation_days as (
    select
        timezone('UTC', created_at)::date as day,
        account,
        enterprise_id,
        sum(coalesce(phone_numbers_submitted, 0)) as remediation_numbers,
    from requests
    where created_at is not null
    group by day, account, enterprise_id
),

checks_ahead as (
    -- per day and frequency: the check days after the day in its month
    select
        day,
        check_frequency,
        is_check_day,
        coalesce(count(*) filter (where is_check_day) over (
            partition by check_frequency, date_trunc('month', day)
            order by day
            rows between 1 following and unbounded following
        ), 0) as rest_of_month_check_days,
    from check_days
),

month_check_days as (
    select
        date_trunc('month', day)::date as month,
        check_frequency,
        count(*) filter (where is_check_day) as check_days,
    from check_days
    group by month, check_frequency
),

observed_days as (
    select
        coalesce(enterprise_days.day, remediation_days.day) as day,
        coalesce(enterprise_days.account, remediation_days.account) as account,
        coalesce(enterprise_days.enterprise_id, remediation_days.enterprise_id) as enterprise_id,
        enterprise_days.run_id,
        enterprise_days.status,
        enterprise_days.check_frequency,
        coalesce(enterprise_days.monitored_numbers, 0) as monitored_numbers,
        coalesce(remediation_days.remediation_numbers, 0) as remediation_numbers,
    from enterprise_days
    full outer join remediation_days
        on remediation_days.day = enterprise_days.day
        and remediation_days.account = enterprise_days.account
        and remediation_days.enterprise_id = enterprise_days.enterprise_id
),

counted as (
    select
        observed_days.*,
        date_trunc('month', observed_days.day)::date as month,
        observed_days.status = 'approved' and observed_days.day = min(observed_days.day) filter (
            where observed_days.status = 'approved'
        ) over (
            partition by
                observed_days.account,
                observed_days.enterprise_id,
                date_trunc('month', observed_days.day)
        ) as is_first_approved_day,
        case when checks_ahead.is_check_day then observed_days.monitored_numbers else 0 end
            as checks,
        coalesce(checks_ahead.rest_of_month_check_days, 0) * observed_days.monitored_numbers
            as rest_of_month_checks,
        coalesce(month_check_days.check_days, 0) * observed_days.monitored_numbers
            as next_month_checks,
    from observed_days
    left join checks_ahead
        on checks_ahead.day = observed_days.day
        and checks_ahead.check_frequency = observed_days.check_frequency
    left join month_check_days
        on month_check_days.month = date_trunc('month', observed_days.day) + interval 1 month
        and month_check_days.check_frequency = observed_days.check_frequency
),

final as (
    select
        counted.account,
        counted.day,
        counted.month,
        counted.enterprise_id,
        counted.run_id,
        counted.status,
        counted.check_frequency,
        counted.monitored_numbers,
        case when counted.is_first_approved_day then settings.telnyx_base_usd else 0 end::double
            as base_usd,
        counted.checks::bigint as checks,
        round(counted.checks * settings.telnyx_check_usd, 6) as checks_usd,
        counted.remediation_numbers::bigint as remediation_numbers,
        round(counted.remediation_numbers * settings.telnyx_remediation_usd, 6)
            as remediation_usd,
        round(
            case when counted.is_first_approved_day then settings.telnyx_base_usd else 0 end
            + counted.checks * settings.telnyx_check_usd
            + counted.remediation_numbers * settings.telnyx_remediation_usd,
            6
        ) as total_usd,
        counted.rest_of_month_checks::bigint as rest_of_month_checks,
        round(counted.rest_of_month_checks * settings.telnyx_check_usd, 6)
            as rest_of_month_checks_usd,
        case
            when counted.status = 'approved' then settings.telnyx_base_usd else 0
        end::double as next_month_base_usd,
        round(counted.next_month_checks * settings.telnyx_check_usd, 6) as next_month_checks_usd,
    from counted
    cross join settings
)

select * from final
