-- Migration 007: Telnyx number snapshots carry their phone key, computed once as they land.
-- purpose: every model build used to parse each snapshot's phone number into its integer key
-- (stg_telnyx__number_snapshots), three times per row on a full build: at a year of 100,000
-- numbers that parse was the largest single cost of the build. Collectors now land the key
-- beside the number; the rows landed before this migration get it here, by the staging rule of
-- this version (a '+' followed by digits not starting with 0, as a bigint; otherwise null).
-- The collectors type only US E.164 numbers, for which that rule and theirs agree.

alter table telnyx_number_snapshots add column phone_key bigint;

update telnyx_number_snapshots
set phone_key = case
    when starts_with(phone_number, '+') and phone_number[2] <> '0'
        then try_cast(substr(phone_number, 2) as bigint)
end
where phone_number is not null;
