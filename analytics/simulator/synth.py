"""Synthetic collection history written straight into the landing tables, inside DuckDB.

``synthesize`` fills ``collection_runs`` (one succeeded Telnyx run and one Plivo run per
day), ``telnyx_enterprise_snapshots``, ``telnyx_number_snapshots``, the remediation tables
and the Plivo snapshot tables with realistic-looking rows, for benchmarks and demos of the
models at fleet scale (100,000 numbers × 365 days = 36.5 million Telnyx rows).

Every value is a pure function of (seed, number, day) computed with DuckDB's ``hash``, so
the rows come from a handful of set-based ``insert … select`` statements (no Python loop per
row), any day range can be generated on its own (``days_from`` appends later days to an
existing history), and the same arguments always give the same rows. It writes only into a
new database or one marked synthetic (see :mod:`analytics.store.provenance`), and marks it.

The shape of the data:

* ``record_id`` is left null (no model reads it; each string column costs seconds to store);
* numbers: ``numbers`` monitored from day 0, 4% of them removed during the period, plus 4%
  more added during it; spread over ``enterprises`` enterprises (business_daily, weekly,
  daily, … refresh);
* risk: per number, episodes of 7–27 days with a stable label (mostly ``low``, some
  ``medium`` and ``high``; 3% of numbers are "risky" and spend far longer ``high``); 0.1% of
  rows carry an out-of-contract label (flagged), 1% of numbers have no reputation data in
  their first week, and a few rows per run have a malformed phone number (null, flagged);
* scores: each of the four wanders smoothly around a per-number base, lower while the label
  is ``medium``/``high``;
* remediation: every week each enterprise submits up to 40 of its ``high`` numbers; requests
  complete after 5–9 days with per-number buckets;
* Plivo: 10% of the Telnyx fleet plus a few Plivo-only numbers, ~20 business profiles (EINs
  in several spellings), carriers going PENDING → ACTIVE (a few FAILED), some released.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from analytics.progress import SILENT, Progress, Step
from analytics.store.database import connect
from analytics.store.provenance import admit
from analytics.store.schema import migrate
from analytics.store.transaction import transaction

DEFAULT_START = date(2025, 1, 6)
_FREQUENCIES = ("business_daily", "weekly", "daily", "biweekly", "monthly", "never")

# Macros: every value is a function of (seed, number index i, day d). u() is uniform [0, 1).
_MACROS = """
create or replace temp macro synth_u(i, d, salt) as
    (hash(getvariable('synth_seed'), i, d, salt) % 1000003) / 1000003.0;
create or replace temp macro synth_epoch_len(i) as 7 + cast(synth_u(i, -1, 'len') * 21 as integer);
create or replace temp macro synth_epoch(i, d) as
    (d + cast(synth_u(i, -1, 'phase') * 30 as integer)) // synth_epoch_len(i);
create or replace temp macro synth_risk_of(x, risky) as case
    when risky and x < 0.55 then 'high'
    when risky and x < 0.80 then 'medium'
    when x < 0.90 then 'low'
    when x < 0.97 then 'medium'
    else 'high'
end;
create or replace temp macro synth_risk(i, d) as
    synth_risk_of(synth_u(i, synth_epoch(i, d), 'risk'), synth_u(i, -1, 'risky') < 0.03);
create or replace temp macro synth_penalty(risk) as
    case risk when 'high' then 30 when 'medium' then 12 else 0 end;
create or replace temp macro synth_phone(i) as
    '+1' || (212 + i // 8000000)::varchar || (200 + (i // 10000) % 800)::varchar
    || lpad((i % 10000)::varchar, 4, '0');
create or replace temp macro synth_first_day(i, n, total) as
    case when i >= n then cast(synth_u(i, -1, 'added') * total as integer) else 0 end;
create or replace temp macro synth_last_day(i, n, total) as
    case when i < n and synth_u(i, -1, 'removed') < 0.04
         then cast(synth_u(i, -1, 'removed_on') * total as integer) else 1000000 end;
"""


def synthesize(
    con_or_path: duckdb.DuckDBPyConnection | str | Path,
    numbers: int = 100_000,
    days: int = 365,
    seed: int = 7,
    start: date = DEFAULT_START,
    enterprises: int = 3,
    days_from: int = 0,
    progress: Progress = SILENT,
) -> dict[str, int]:
    """Write days ``days_from`` … ``days_from + days - 1`` (counted from ``start``).

    Returns the number of rows written per table. Call again with ``days_from`` set to the
    number of days already written (and the same other arguments) to append more days.
    ``progress`` sees one stage per group of tables (the Telnyx numbers counted in days).
    """
    if isinstance(con_or_path, str | Path):
        con = connect(con_or_path)
        try:
            migrate(con)
            return synthesize(
                con, numbers, days, seed, start, enterprises, days_from, progress=progress
            )
        finally:
            con.close()
    con = con_or_path
    if numbers < 1 or days < 1 or enterprises < 1 or days_from < 0:
        raise ValueError("numbers, days and enterprises must be positive; days_from >= 0")
    migrate(con)
    con.execute("set variable synth_seed = ?", [seed])
    con.execute(_MACROS)
    total_days = days_from + days
    extra = max(1, numbers // 25)
    params = {
        "n": numbers,
        "all": numbers + extra,
        "d0": days_from,
        "d1": total_days,
        "start": datetime.combine(start, datetime.min.time(), UTC),
        "ents": enterprises,
        "total": max(total_days, 365),
    }
    counts: dict[str, int] = {}
    with transaction(con):
        admit(con, synthetic=True, what="the synthetic history of `simulator synth`")
        with progress.stage("runs and enterprises", unit="rows") as step:
            _runs(con, params)
            counts["collection_runs"] = 2 * days
            counts["telnyx_enterprise_snapshots"] = _enterprises(con, params)
            step.advance(counts["collection_runs"] + counts["telnyx_enterprise_snapshots"])
        with progress.stage("telnyx number snapshots", total=days, unit="days") as step:
            counts["telnyx_number_snapshots"] = _numbers(con, params, step)
        with progress.stage("remediation requests and results", unit="rows") as step:
            counts.update(_remediation(con, params))
            step.advance(sum(v for k, v in counts.items() if k.startswith("telnyx_remediation")))
        with progress.stage("plivo snapshots", unit="rows") as step:
            plivo = _plivo(con, params)
            counts.update(plivo)
            step.advance(sum(plivo.values()))
    return counts


def _runs(con: duckdb.DuckDBPyConnection, p: dict) -> None:
    """One succeeded run per source per day; run ids come from the ledger's sequence."""
    con.execute(
        """
        create or replace temp table synth_days as
        select d, source,
               $start + to_days(d::integer) + to_hours(hour) + to_seconds(
                   cast(synth_u(-1, d, source) * 1800 as integer)) as collected_at
        from range($d0, $d1) as t(d), (values ('telnyx', 6), ('plivo', 7)) as s(source, hour)
        order by d, source desc
        """,
        {"d0": p["d0"], "d1": p["d1"], "start": p["start"]},
    )
    con.execute(
        """
        insert into collection_runs (run_id, source, account, started_at, collected_at,
                                     finished_at, status, records, flagged, http_requests,
                                     http_retries, http_throttled)
        select (select coalesce(max(run_id), 0) from collection_runs)
                   + row_number() over (order by d, source desc),
               source, 'default', collected_at, collected_at, collected_at + interval 4 minute,
               'succeeded', 0, 0, 0, 0, 0
        from synth_days order by d, source desc
        """
    )
    con.execute(
        """
        create or replace temp table synth_runs as
        select s.d, s.source, r.run_id, r.collected_at,
               date_trunc('day', r.collected_at) + interval 2 hour as refreshed_daily,
               date_trunc('week', r.collected_at) + interval 2 hour as refreshed_weekly
        from synth_days as s
        join collection_runs as r using (source, collected_at)
        """
    )


def _enterprise_id(k: int, seed: int) -> str:
    from analytics.simulator._util import uuid_of

    return uuid_of("synth-enterprise", seed, k)


def _enterprises(con: duckdb.DuckDBPyConnection, p: dict) -> int:
    seed = con.execute("select getvariable('synth_seed')").fetchone()[0]  # type: ignore[index]
    rows = [
        (k, _enterprise_id(k, seed), _FREQUENCIES[k % len(_FREQUENCIES)]) for k in range(p["ents"])
    ]
    con.execute(
        "create or replace temp table synth_enterprises (k integer, id varchar, freq varchar)"
    )
    con.executemany("insert into synth_enterprises values (?, ?, ?)", rows)
    return con.execute(
        """
        insert into telnyx_enterprise_snapshots (run_id, collected_at, enterprise_id, legal_name,
            doing_business_as, reputation_enabled, status, loa_status, check_frequency,
            settings_created_at, settings_updated_at)
        select r.run_id, r.collected_at, e.id, 'Synthetic Business ' || e.k || ' LLC',
               'Synthetic ' || e.k, true, 'approved', 'approved', e.freq,
               $start - interval 30 day, $start - interval 30 day
        from synth_runs as r, synth_enterprises as e
        where r.source = 'telnyx'
        """,
        {"start": p["start"]},
    ).fetchone()[0]  # type: ignore[index]


def _numbers(con: duckdb.DuckDBPyConnection, p: dict, step: Step) -> int:
    """The big one: every active number on every day, in run order (``step`` counts days)."""
    con.execute(
        """
        create or replace temp table synth_fleet as
        select i, synth_phone(i) as phone_number, e.id as enterprise_id, e.freq,
               synth_first_day(i, $n, $total) as first_day,
               synth_last_day(i, $n, $total) as last_day,
               synth_u(i, -1, 'norep') < 0.01 as late_reputation,
               $start + to_days(synth_first_day(i, $n, $total)) - interval 3 day as created_at,
               synth_epoch_len(i) as epoch_len,
               cast(synth_u(i, -1, 'phase') * 30 as integer) as epoch_phase,
               synth_u(i, -1, 'risky') < 0.03 as risky,
               35 + synth_u(i, -1, 'maturity') * 55 as base1,
               synth_u(i, -2, 'maturity') * 90 as phase1,
               6.2832 / (30 + synth_u(i, -3, 'maturity') * 60) as w1,
               35 + synth_u(i, -1, 'connection') * 55 as base2,
               synth_u(i, -2, 'connection') * 90 as phase2,
               6.2832 / (30 + synth_u(i, -3, 'connection') * 60) as w2,
               35 + synth_u(i, -1, 'engagement') * 55 as base3,
               synth_u(i, -2, 'engagement') * 90 as phase3,
               6.2832 / (30 + synth_u(i, -3, 'engagement') * 60) as w3,
               35 + synth_u(i, -1, 'sentiment') * 55 as base4,
               synth_u(i, -2, 'sentiment') * 90 as phase4,
               6.2832 / (30 + synth_u(i, -3, 'sentiment') * 60) as w4
        from range($all) as t(i)
        join synth_enterprises as e on e.k = i % $ents
        """,
        {
            "n": p["n"],
            "all": p["all"],
            "total": p["total"],
            "ents": p["ents"],
            "start": p["start"],
        },
    )
    # A week of runs per statement: the rows land roughly in run order, as collections append
    # them, so each row group spans a few days and the models' day and run filters can skip the
    # rest (one statement for the whole range interleaves every day in every row group).
    written = 0
    for lo in range(p["d0"], p["d1"], _DAYS_PER_INSERT):
        hi = min(lo + _DAYS_PER_INSERT, p["d1"])
        row = con.execute(_NUMBER_ROWS, {"lo": lo, "hi": hi}).fetchone()
        written += row[0] if row else 0
        step.advance(hi - lo)
    return written


_DAYS_PER_INSERT = 7


_NUMBER_ROWS = """
insert into telnyx_number_snapshots
with observed as (
    select r.run_id, r.collected_at, r.d, r.refreshed_daily, r.refreshed_weekly, f.*,
           not (f.late_reputation and r.d < f.first_day + 7) as has_rep,
           hash(getvariable('synth_seed'), f.i, r.d) as h
    from synth_runs as r
    join synth_fleet as f on r.d between f.first_day and f.last_day
    where r.source = 'telnyx' and r.d >= $lo and r.d < $hi
),
labelled as (
    select *,
           synth_u(i, (d + epoch_phase) // epoch_len, 'risk') as risk_u,
           (h % 100000) / 100000.0 as flag_u
    from observed
),
risked as (
    select *, synth_risk_of(risk_u, risky) as risk from labelled
),
scored as (
    select *, synth_penalty(risk) as penalty,
           greatest(0, least(100, base1 + 12 * sin(w1 * (d + phase1))
               + ((h >> 24) % 256) / 42.0 - 3)) as s1,
           greatest(0, least(100, base2 + 12 * sin(w2 * (d + phase2))
               + ((h >> 32) % 256) / 42.0 - 3)) as s2,
           greatest(0, least(100, base3 + 12 * sin(w3 * (d + phase3))
               + ((h >> 40) % 256) / 42.0 - 3)) as s3,
           greatest(0, least(100, base4 + 12 * sin(w4 * (d + phase4))
               + ((h >> 48) % 256) / 42.0 - 3)) as s4
    from risked
),
final as (
    select
        run_id, collected_at, enterprise_id,
        case when flag_u < 0.00002 then null else phone_number end as phone_number,
        null as record_id,
        has_rep as has_reputation_data,
        case when not has_rep then null when flag_u < 0.001 then 'severe' else risk end,
        case when has_rep and risk <> 'low'
             then (['Telemarketing', 'Robocall', 'Scam Likely', 'Survey'])[1 + i % 4]
        end as spam_category,
        case when has_rep then cast(greatest(0, s1 - penalty // 3) as smallint) end,
        case when has_rep then cast(greatest(0, s2 - penalty) as smallint) end,
        case when has_rep then cast(greatest(0, s3 - penalty) as smallint) end,
        case when has_rep then cast(greatest(0, s4 - penalty) as smallint) end,
        case when not has_rep then null
             when freq = 'weekly' then refreshed_weekly
             else refreshed_daily end as last_refreshed_at,
        created_at,
        collected_at - interval 1 hour as updated_at,
        null::json as extra,
        case when flag_u < 0.00002 then ['phone_number: not a US E.164 number: ''+1555''']
             when has_rep and flag_u < 0.001 then ['spam_risk: unknown value ''severe''']
        end as flags,
        case when flag_u < 0.001 then '{"synthetic": true}' end::json as raw,
        'default' as account,
        case when flag_u >= 0.00002 then cast(substr(phone_number, 2) as bigint) end as phone_key
    from scored
)
select * from final
"""


def _remediation(con: duckdb.DuckDBPyConnection, p: dict) -> dict[str, int]:
    """Weekly requests per enterprise for its high numbers; rewritten whole (latest state)."""
    con.execute(
        """
        create or replace temp table synth_latest as
        select max(run_id) as run_id, max(collected_at) as collected_at, max(d) as d
        from synth_runs where source = 'telnyx'
        """
    )
    con.execute(
        """
        create or replace temp table synth_requests as
        with slots as (
            select e.k, e.id as enterprise_id, d,
                   $start + to_days(d::integer) + interval 14 hour as created_at,
                   5 + cast(synth_u(e.k, d, 'tier2') * 5 as integer) as tier2_days
            from synth_enterprises as e, range(7, $d1, 7) as t(d)
        ),
        picked as (
            select s.*, f.i, f.phone_number
            from slots as s
            join synth_fleet as f on f.enterprise_id = s.enterprise_id
                and s.d between f.first_day and f.last_day
            where synth_risk(f.i, s.d) = 'high'
            qualify row_number() over (partition by s.k, s.d order by hash(f.i, s.d)) <= 40
        )
        select *,
               'synth-req-' || k || '-' || d as request_id,
               created_at + interval 2 day as tier1_at,
               created_at + to_days(tier2_days) as tier2_at,
               case
                   when synth_u(i, d, 'bucket') < 0.60 then 'remediated'
                   when synth_u(i, d, 'bucket') < 0.70 then 'not_flagged'
                   when synth_u(i, d, 'bucket') < 0.85 then 'requires_review'
                   when synth_u(i, d, 'bucket') < 0.90 then 'ineligible'
                   else 'refused'
               end as bucket
        from picked
        where created_at <= (select collected_at from synth_latest)
        """,
        {"start": p["start"], "d1": p["d1"]},
    )
    con.execute("delete from telnyx_remediation_results where request_id like 'synth-req-%'")
    con.execute("delete from telnyx_remediation_requests where request_id like 'synth-req-%'")
    requests = con.execute(
        """
        insert into telnyx_remediation_requests (request_id, enterprise_id, status, call_purpose,
            contact_email, phone_numbers_count, phone_numbers_submitted, phone_numbers_ineligible,
            created_at, updated_at, tier1_completed_at, tier2_completed_at, has_results,
            last_seen_run_id, detail_run_id, collected_at, account)
        with latest as (select * from synth_latest),
        per_request as (
            select request_id, any_value(enterprise_id) as enterprise_id,
                   any_value(created_at) as created_at, any_value(tier1_at) as tier1_at,
                   any_value(tier2_at) as tier2_at, count(*) as numbers,
                   count(*) filter (where bucket = 'ineligible') as ineligible
            from synth_requests group by request_id
        )
        select request_id, enterprise_id,
               case when tier2_at <= l.collected_at then 'completed'
                    when tier1_at <= l.collected_at then 'in_progress' else 'pending' end,
               'Outbound appointment reminders for our clinic.',
               'ops@example.com', numbers, numbers - ineligible, ineligible,
               created_at, least(l.collected_at, greatest(created_at, tier2_at)),
               case when tier1_at <= l.collected_at then tier1_at end,
               case when tier2_at <= l.collected_at then tier2_at end,
               tier2_at <= l.collected_at, l.run_id, l.run_id, l.collected_at, 'default'
        from per_request, latest as l
        """
    ).fetchone()[0]  # type: ignore[index]
    results = con.execute(
        """
        insert into telnyx_remediation_results (request_id, phone_number, bucket, run_id)
        select q.request_id, q.phone_number, q.bucket, l.run_id
        from synth_requests as q, synth_latest as l
        where q.tier2_at <= l.collected_at
        """
    ).fetchone()[0]  # type: ignore[index]
    return {"telnyx_remediation_requests": requests, "telnyx_remediation_results": results}


def _plivo(con: duckdb.DuckDBPyConnection, p: dict) -> dict[str, int]:
    """10% of the fleet (plus a few Plivo-only numbers) under ~20 business profiles."""
    profiles = max(2, min(20, p["n"] // 5000 or 2))
    con.execute(
        """
        create or replace temp table synth_profiles as
        select k,
               md5('profile' || getvariable('synth_seed') || k) as profile_uuid,
               case when k = 0 then null
                    when k = 1 then 'N/A'
                    when k % 3 = 0 then (10 + k)::varchar || '-' || (1000000 + k * 7919)::varchar
                    when k % 3 = 1 then (10 + k)::varchar || (1000000 + k * 7919)::varchar
                    else (10 + k)::varchar || ' ' || (1000000 + k * 7919)::varchar
               end as ein,
               'Synthetic Profile ' || k || ' Inc' as company_name
        from range($profiles) as t(k)
        """,
        {"profiles": profiles},
    )
    con.execute(
        """
        create or replace temp table synth_plivo as
        select i, phone_number, first_day, last_day,
               cast(synth_u(i, -1, 'plivo_profile') * $profiles as integer) as profile,
               first_day + cast(synth_u(i, -1, 'enable') * 20 as integer) as enabled_day,
               synth_u(i, -1, 'att') as att_u, synth_u(i, -1, 'tmo') as tmo_u,
               case when synth_u(i, -1, 'release') < 0.03
                    then cast(synth_u(i, -1, 'released_on') * $total as integer)
                    else 1000000 end as released_day
        from synth_fleet where i % 10 = 0
        union all
        select i, synth_phone(i), 0, 1000000, i % $profiles, 0,
               synth_u(i, -1, 'att'), synth_u(i, -1, 'tmo'), 1000000
        from range(9000000, 9000000 + greatest(1, $n // 200)) as t(i)
        """,
        {"profiles": profiles, "total": p["total"], "n": p["n"]},
    )
    numbers = con.execute(
        """
        insert into plivo_number_snapshots (run_id, collected_at, number, alias, number_type,
            region, country, added_on, monthly_rental_rate, profile_uuid, caller_reputation,
            merged_status, att_status, att_updated_at, tmobile_status, tmobile_updated_at)
        with observed as (
            select r.run_id, r.collected_at, r.d, n.*, pr.profile_uuid,
                   r.d >= n.enabled_day as enabled,
                   n.enabled_day + 1 + cast(n.att_u * 6 as integer) as att_day,
                   n.enabled_day + 1 + cast(n.tmo_u * 6 as integer) as tmo_day
            from synth_runs as r
            join synth_plivo as n on r.d between n.first_day and least(n.last_day, n.released_day)
            left join synth_profiles as pr on pr.k = n.profile
            where r.source = 'plivo'
        ),
        carriers as (
            select *,
                case when not enabled then 'NOT_ENROLLED' when d < att_day then 'PENDING'
                     when att_u < 0.04 then 'FAILED' else 'ACTIVE' end as att,
                case when not enabled then 'NOT_ENROLLED' when d < tmo_day then 'PENDING'
                     when tmo_u < 0.04 then 'FAILED' else 'ACTIVE' end as tmo
            from observed
        ),
        final as (
            select run_id, collected_at, phone_number, null, 'local', 'New York', 'US',
                   ($start + to_days(first_day::integer))::date, 0.5,
                   case when enabled then profile_uuid end,
                   case when enabled then 'enabled' else 'disabled' end,
                   case when 'ACTIVE' in (att, tmo) then 'ACTIVE'
                        when 'PENDING' in (att, tmo) then 'PENDING'
                        when 'FAILED' in (att, tmo) then 'FAILED' else 'NOT_ENROLLED' end,
                   att,
                   case when not enabled then null
                        when att = 'PENDING' then $start + to_days(enabled_day::integer)
                        else $start + to_days(att_day::integer) end,
                   tmo,
                   case when not enabled then null
                        when tmo = 'PENDING' then $start + to_days(enabled_day::integer)
                        else $start + to_days(tmo_day::integer) end
            from carriers
        )
        select * from final
        """,
        {"start": p["start"]},
    ).fetchone()[0]  # type: ignore[index]
    profiles_written = con.execute(
        """
        insert into plivo_profile_snapshots (run_id, collected_at, profile_uuid, ein,
            ein_issuing_country, company_name, entity_type, vertical, created_at)
        select r.run_id, r.collected_at, pr.profile_uuid, pr.ein, 'US', pr.company_name,
               'PRIVATE', 'PROFESSIONAL', $start - interval 60 day
        from synth_runs as r, synth_profiles as pr
        where r.source = 'plivo'
        """,
        {"start": p["start"]},
    ).fetchone()[0]  # type: ignore[index]
    callers = con.execute(
        """
        insert into plivo_verified_caller_ids (run_id, collected_at, phone_number, alias, country,
            verification_uuid, created_at)
        select r.run_id, r.collected_at, synth_phone(i), 'front desk ' || i, 'US',
               md5('verify' || i), $start
        from synth_runs as r, range(9500000, 9500000 + greatest(1, $n // 2000)) as t(i)
        where r.source = 'plivo'
        """,
        {"start": p["start"], "n": p["n"]},
    ).fetchone()[0]  # type: ignore[index]
    return {
        "plivo_number_snapshots": numbers,
        "plivo_profile_snapshots": profiles_written,
        "plivo_verified_caller_ids": callers,
    }


def days_written(con: duckdb.DuckDBPyConnection, start: date = DEFAULT_START) -> int:
    """How many synthetic days a database holds (the ``days_from`` for the next append)."""
    row = con.execute(
        "select max(collected_at) from collection_runs where source = 'telnyx'"
    ).fetchone()
    if not row or row[0] is None:
        return 0
    last = row[0].astimezone(UTC).date()
    return (last - start).days + 1
