-- Migration 005: every run and every landed row carries its account.
-- purpose: callrep collects many Telnyx accounts and Plivo (sub)accounts into one store; an
-- account name is unique per provider, and the same name across providers is one customer.
-- Rows landed before this migration belong to the single account of that time, `default`
-- (the account the single-account variables describe). The default is a literal, as the
-- DuckLake store requires; collectors always write the column themselves.

alter table collection_runs add column account varchar default 'default';
alter table raw_responses add column account varchar default 'default';
alter table telnyx_enterprise_snapshots add column account varchar default 'default';
alter table telnyx_number_snapshots add column account varchar default 'default';
alter table telnyx_remediation_requests add column account varchar default 'default';
alter table telnyx_remediation_results add column account varchar default 'default';
alter table plivo_number_snapshots add column account varchar default 'default';
alter table plivo_profile_snapshots add column account varchar default 'default';
alter table plivo_verified_caller_ids add column account varchar default 'default';
alter table plivo_status_callbacks add column account varchar default 'default';
