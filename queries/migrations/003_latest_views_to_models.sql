-- Migration 003: the latest-run views leave the landing schema.
-- purpose: latest_runs, telnyx_enterprises and plivo_profiles (created by 001) were models
-- living in a migration, out of the runner's sight. They are now ordinary staging models
-- (stg_callrep__latest_runs, stg_plivo__profiles; the report stages each week's enterprises
-- itself), which the runner discovers, orders and fingerprints. Dropping a view keeps every
-- row: views hold none.

drop view if exists plivo_profiles;
drop view if exists telnyx_enterprises;
drop view if exists latest_runs;
