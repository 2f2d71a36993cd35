-- report_plivo_status
-- purpose: each Plivo number as the week's last Plivo run saw it (and the week before's), with the
--   plivo_carrier_status rules as the models evaluated them at that run
--   (int_plivo_carrier_status_runs): the report only picks the run and adds the business name.
-- grain: period x account x number
-- key: period, account, number
-- parameters: $plivo_run_ids (the Plivo runs of report_runs, both periods, as constants so that
--   the view reads only those runs' state and fact rows)
create or replace temp table report_plivo_status as
with runs as (
    select period, run_id
    from report_runs
    where source = 'plivo'
),

status_runs as (
    select * from int_plivo_carrier_status_runs
    where list_contains($plivo_run_ids, run_id)
),

profiles as (
    select profile_uuid, company_name from stg_plivo__profiles
),

final as (
    select
        runs.period,
        status_runs.*,
        profiles.company_name,
        least(status_runs.att_pending_since, status_runs.tmobile_pending_since) as pending_since,
    from runs
    inner join status_runs on status_runs.run_id = runs.run_id
    left join profiles on profiles.profile_uuid = status_runs.profile_uuid
)

select * from final
