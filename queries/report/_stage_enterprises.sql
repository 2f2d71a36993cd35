-- report_enterprises
-- purpose: the Telnyx enterprises as the report week's last Telnyx run saw them (names, gates,
--   rejection reasons): what the action tables name and what the gates table lists.
-- grain: enterprise
-- key: enterprise_id
-- parameters: $telnyx_run_id (the week's last Telnyx run; -1 when there is none)
create or replace temp table report_enterprises as
select
    enterprise_id,
    legal_name,
    doing_business_as,
    reputation_enabled,
    status,
    loa_status,
    rejection_reasons,
from stg_telnyx__enterprise_snapshots
where run_id = $telnyx_run_id
