-- Migration 001: the landing store.
-- purpose: the run ledger, raw responses kept whole, and typed snapshot tables per source.
-- Typed columns hold only values that match the documented shape; a record that does not
-- keeps its original JSON in `raw` and the reasons in `flags`. `extra` holds keys beyond
-- the documented ones (usually null). Every snapshot row carries the run that wrote it.

create sequence run_id_seq start 1;

-- grain: one collection run of one source. key: run_id
create table collection_runs (
    run_id bigint primary key default nextval('run_id_seq'),
    source varchar not null,
    started_at timestamptz not null,
    collected_at timestamptz not null,
    finished_at timestamptz,
    status varchar not null,
    records bigint,
    flagged bigint,
    http_requests bigint,
    http_retries bigint,
    http_throttled bigint,
    counts json,
    error varchar,
    pid integer
);

-- grain: one small API response kept whole (enterprises, settings, remediation, profiles).
-- key: run_id, endpoint, resource_key
create table raw_responses (
    run_id bigint not null,
    source varchar not null,
    endpoint varchar not null,
    resource_key varchar not null,
    body json
);

-- grain: enterprise x run. key: run_id, enterprise_id
create table telnyx_enterprise_snapshots (
    run_id bigint not null,
    collected_at timestamptz not null,
    enterprise_id varchar not null,
    legal_name varchar,
    doing_business_as varchar,
    reputation_enabled boolean not null,
    status varchar,
    loa_status varchar,
    check_frequency varchar,
    loa_document_id varchar,
    rejection_reasons varchar[],
    settings_created_at timestamptz,
    settings_updated_at timestamptz,
    extra json,
    flags varchar[],
    raw json
);

-- grain: monitored number x run. key: run_id, enterprise_id, phone_number
create table telnyx_number_snapshots (
    run_id bigint not null,
    collected_at timestamptz not null,
    enterprise_id varchar not null,
    phone_number varchar,
    record_id varchar,
    has_reputation_data boolean not null,
    spam_risk varchar,
    spam_category varchar,
    maturity_score smallint,
    connection_score smallint,
    engagement_score smallint,
    sentiment_score smallint,
    last_refreshed_at timestamptz,
    created_at timestamptz,
    updated_at timestamptz,
    extra json,
    flags varchar[],
    raw json
);

-- grain: remediation request (latest state seen). key: request_id
create table telnyx_remediation_requests (
    request_id varchar primary key,
    enterprise_id varchar not null,
    status varchar,
    call_purpose varchar,
    contact_email varchar,
    phone_numbers_count integer,
    phone_numbers_submitted integer,
    phone_numbers_ineligible integer,
    created_at timestamptz,
    updated_at timestamptz,
    tier1_completed_at timestamptz,
    tier2_completed_at timestamptz,
    has_results boolean not null,
    last_seen_run_id bigint not null,
    detail_run_id bigint,
    collected_at timestamptz not null,
    extra json,
    flags varchar[],
    raw json
);

-- grain: request x number x bucket (from the request's latest detail). key: request_id, phone_number, bucket
create table telnyx_remediation_results (
    request_id varchar not null,
    phone_number varchar not null,
    bucket varchar not null,
    run_id bigint not null
);

-- grain: Plivo number x run. key: run_id, number
create table plivo_number_snapshots (
    run_id bigint not null,
    collected_at timestamptz not null,
    number varchar,
    alias varchar,
    number_type varchar,
    region varchar,
    country varchar,
    added_on date,
    monthly_rental_rate decimal(12, 5),
    profile_uuid varchar,
    caller_reputation varchar,
    merged_status varchar,
    att_status varchar,
    att_updated_at timestamptz,
    tmobile_status varchar,
    tmobile_updated_at timestamptz,
    extra json,
    flags varchar[],
    raw json
);

-- grain: business profile x run. key: run_id, profile_uuid
create table plivo_profile_snapshots (
    run_id bigint not null,
    collected_at timestamptz not null,
    profile_uuid varchar,
    ein varchar,
    ein_issuing_country varchar,
    company_name varchar,
    profile_alias varchar,
    entity_type varchar,
    vertical varchar,
    website varchar,
    address json,
    authorized_contact json,
    created_at timestamptz,
    extra json,
    flags varchar[],
    raw json
);

-- grain: verified caller ID x run. key: run_id, phone_number
create table plivo_verified_caller_ids (
    run_id bigint not null,
    collected_at timestamptz not null,
    phone_number varchar,
    alias varchar,
    country varchar,
    verification_uuid varchar,
    created_at timestamptz,
    extra json,
    flags varchar[],
    raw json
);

-- grain: one callback payload received. key: callback_key (hash of the payload and received_at)
create table plivo_status_callbacks (
    callback_key varchar primary key,
    received_at timestamptz not null,
    number varchar not null,
    carrier varchar not null,
    status varchar not null,
    profile_uuid varchar,
    source_file varchar not null,
    ingested_at timestamptz not null,
    flags varchar[],
    raw json
);

-- Latest successful run per source, and the public "latest state" views.
create view latest_runs as
select source, max(run_id) as run_id, max(collected_at) as collected_at
from collection_runs
where status = 'succeeded'
group by source;

create view telnyx_enterprises as
select e.*
from telnyx_enterprise_snapshots as e
join latest_runs as r on r.source = 'telnyx' and r.run_id = e.run_id;

create view plivo_profiles as
select *
from plivo_profile_snapshots
qualify row_number() over (partition by profile_uuid order by run_id desc) = 1;
