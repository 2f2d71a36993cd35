-- report_enterprises
-- purpose: the Telnyx enterprises' reputation gates as the report week's last Telnyx run saw
--   them (reputation enabled, status, LOA status, rejection reasons): what the gates table and
--   the verdict judge. Names are not staged here: every name comes from dim_enterprises (the
--   latest snapshot), so a rename shows in every week's report at once.
-- grain: enterprise (of one account)
-- key: account, enterprise_id
-- parameters: $telnyx_run_ids (each account's last Telnyx run of the week; empty when none)
create or replace temp table report_enterprises as
select
    account,
    enterprise_id,
    reputation_enabled,
    status,
    loa_status,
    rejection_reasons,
from stg_telnyx__enterprise_snapshots
where run_id in (select unnest($telnyx_run_ids))
