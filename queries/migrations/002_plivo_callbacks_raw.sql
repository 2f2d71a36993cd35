-- purpose: keep each Plivo status callback's original JSON in `raw`.
-- Migration 001 once gained this column in place; databases created before that edit lack it,
-- so it is added here. `if not exists`: databases created from the edited 001 already have it.
alter table plivo_status_callbacks add column if not exists raw json;
