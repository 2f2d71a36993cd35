"""Every mart keys on account: two Telnyx accounts (two simulators) that monitor the SAME phone
numbers with different histories. Each account's rows in the shared database equal the rows of a
database that collected that account alone, so nothing of one account leaks into the other's
windows, joins or counts; the report and the alerts take --account."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from analytics.cli import cli
from analytics.config import Pricing, load_settings
from analytics.orchestration import build_if_stale
from analytics.orchestration.collect import collect
from analytics.resources import queries_dir
from analytics.simulator import Simulator
from analytics.store.database import open_readonly
from tests.test_accounts import ByHost

START = date(2026, 8, 31)
DAYS = 18
KEY_WEST = "KEYwestSECRET0123456789abcdef"
KEY_EAST = "KEYeastSECRET0123456789abcdef"
ACCOUNT = """
[[accounts]]
name = "{name}"
provider = "telnyx"
api_key_env = "TELNYX_KEY_{upper}"
base_url = "http://{name}.sim/v2"
"""
MARTS = (
    "spam_risk_daily",
    "spam_risk_weekly",
    "spam_risk_transitions",
    "score_drift",
    "score_drift_onsets",
    "number_overview",
    "remediation_number_outcomes",
    "remediation_number_history",
    "remediation_number_history_weekly",
    "remediation_outcomes",
    "remediation_outcomes_weekly",
    "telnyx_cost_daily",
    "telnyx_cost_monthly",
    "telnyx_cost_what_if",
    "telnyx_cost_what_if_daily",
    "dim_enterprises",
)


def _config(tmp: Path, names: tuple[str, ...], db: str) -> dict[str, str]:
    path = tmp / f"{db}.toml"
    path.write_text("".join(ACCOUNT.format(name=n, upper=n.upper()) for n in names), "utf-8")
    return {
        "CALLREP_CONFIG": str(path),
        "CALLREP_DB": str(tmp / f"{db}.duckdb"),
        "TELNYX_KEY_WEST": KEY_WEST,
        "TELNYX_KEY_EAST": KEY_EAST,
    }


@pytest.fixture(scope="module")
def dbs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    """``both`` (west and east) and ``west`` (west alone, from the same simulator), built."""
    tmp = tmp_path_factory.mktemp("accounts-marts")
    west = Simulator(
        seed=3, start=START, telnyx_numbers=40, telnyx_enterprises=2, telnyx_api_key=KEY_WEST
    )
    east = Simulator(
        seed=4, start=START, telnyx_numbers=30, telnyx_enterprises=2, telnyx_api_key=KEY_EAST
    )
    # east monitors twenty of west's numbers too: same phone, its own scores and risk
    target = next(e for e in east.telnyx.enterprises_ if e.monitoring)
    for phone in sorted(west.telnyx.by_phone)[:20]:
        east.telnyx.add_number(target, phone, east.now)
    envs = {"both": _config(tmp, ("west", "east"), "both"), "west": _config(tmp, ("west",), "west")}
    transport = ByHost({"west.sim": west, "east.sim": east})
    for day in range(DAYS):
        if day:
            west.advance()
            east.advance()
        for env in envs.values():
            collect(load_settings(env), transport=transport, collected_at=west.now)
    for env in envs.values():
        build_if_stale(Path(env["CALLREP_DB"]), Pricing())
    return envs


def _rows(env: dict[str, str], sql: str, params: dict | None = None) -> list[tuple]:
    con = open_readonly(Path(env["CALLREP_DB"]))
    try:
        return con.execute(sql, params or {}).fetchall()
    finally:
        con.close()


def _mart(env: dict[str, str], mart: str, account: str) -> list[tuple]:
    con = open_readonly(Path(env["CALLREP_DB"]))
    try:
        columns = [r[0] for r in con.execute(f'describe "{mart}"').fetchall()]
        drop = [c for c in columns if c == "run_id"]  # ids differ between the two databases
        exclude = f" exclude ({', '.join(drop)})" if drop else ""
        sql = f'select *{exclude} from "{mart}" where account = $a order by all'
        return con.execute(sql, {"a": account}).fetchall()
    finally:
        con.close()


def test_the_shared_numbers_have_different_histories(dbs: dict[str, dict[str, str]]) -> None:
    sql = (
        "select phone_number, observed_on, spam_risk, maturity_score from "
        "stg_telnyx__number_snapshots where is_latest_of_day and account = $a and phone_number "
        "in (select phone_number from stg_telnyx__number_snapshots group by phone_number "
        "having count(distinct account) = 2) order by all"
    )
    west = _rows(dbs["both"], sql, {"a": "west"})
    east = _rows(dbs["both"], sql, {"a": "east"})
    assert west and east and {r[0] for r in west} == {r[0] for r in east}
    assert west != east
    assert len({r[2] for r in west + east}) >= 2  # more than one risk level among them


@pytest.mark.parametrize("mart", MARTS)
def test_each_accounts_rows_are_those_it_has_alone(
    dbs: dict[str, dict[str, str]], mart: str
) -> None:
    alone = _mart(dbs["west"], mart, "west")
    assert _mart(dbs["both"], mart, "west") == alone
    assert _mart(dbs["both"], mart, "east")  # east has rows of its own


def test_a_shared_number_is_two_rows_and_two_histories(dbs: dict[str, dict[str, str]]) -> None:
    overview = _rows(
        dbs["both"],
        "select phone_number, count(*) from number_overview group by all having count(*) > 1",
    )
    assert len(overview) >= 10 and all(n == 2 for _, n in overview)  # some churn away
    transitions = _rows(
        dbs["both"],
        "select count(distinct account) from spam_risk_transitions where phone_number in "
        "(select phone_number from number_overview group by all having count(*) > 1)",
    )
    assert transitions[0][0] == 2  # both accounts' shared numbers changed risk, apart


def _numbers_of(env: dict[str, str], account: str) -> set[str]:
    sql = "select distinct phone_number from stg_telnyx__number_snapshots where account = $a"
    return {r[0] for r in _rows(env, sql, {"a": account})}


def test_report_covers_the_accounts_named(dbs: dict[str, dict[str, str]], tmp_path: Path) -> None:
    env = dbs["both"]
    out = tmp_path / "reports"  # one folder: the scoped report must not overwrite the fleet's
    one = CliRunner().invoke(cli, ["report", "--account", "east", "--out", str(out)], env=env)
    assert one.exit_code == 0, one.output
    every = CliRunner().invoke(cli, ["report", "--out", str(out)], env=env)
    assert every.exit_code == 0, every.output
    (east_file,) = out.glob("weekly-*-east.html")
    (all_file,) = [p for p in out.glob("weekly-*.html") if p != east_file]
    assert re.fullmatch(r"weekly-\d{4}-W\d{2}\.html", all_file.name)
    east_html, all_html = east_file.read_text("utf-8"), all_file.read_text("utf-8")
    assert "Account: east." in east_html and "Accounts: east, west." in all_html
    listed = set(re.findall(r"\+\d{11}\b", east_html))
    west_only = _numbers_of(env, "west") - _numbers_of(env, "east")
    assert listed and not listed & west_only
    assert set(re.findall(r"\+\d{11}\b", all_html)) & west_only


def test_alerts_judge_only_the_accounts_named(dbs: dict[str, dict[str, str]]) -> None:
    env = dbs["both"]
    west = CliRunner().invoke(cli, ["alerts", "--account", "west", "--json"], env=env)
    assert west.exit_code == 0, west.output
    subjects = [r[0] for r in _rows(env, "select subject from alert_episodes")]
    assert subjects and all(s.startswith("west / ") for s in subjects)
    east = CliRunner().invoke(cli, ["alerts", "--account", "east", "--json"], env=env)
    assert east.exit_code == 0, east.output
    subjects = [r[0] for r in _rows(env, "select subject from alert_episodes")]
    assert any(s.startswith("east / ") for s in subjects)
    # east's run never closed west's episodes, and an unfiltered run finds nothing changed
    assert _rows(env, "select count(*) from alert_episode_closings") == [(0,)]
    every = CliRunner().invoke(cli, ["alerts", "--json"], env=env)
    assert every.exit_code == 0, every.output
    assert _rows(env, "select count(*) from alert_episode_closings") == [(0,)]
    assert len(subjects) == _rows(env, "select count(*) from alert_episodes")[0][0]


@pytest.mark.parametrize("command", ["report", "alerts"])
def test_an_unknown_account_is_one_line_and_exit_2(
    dbs: dict[str, dict[str, str]], command: str, tmp_path: Path
) -> None:
    before = _rows(dbs["both"], "select count(*) from alert_episodes")
    args = [
        command,
        "--account",
        "north",
        *(["--out", str(tmp_path)] if command == "report" else []),
    ]
    result = CliRunner().invoke(cli, args, env=dbs["both"])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "no account named 'north'" in result.output
    assert _rows(dbs["both"], "select count(*) from alert_episodes") == before
    assert not list(tmp_path.glob("*.html"))


def _events(accounts: int, days: list[tuple[str, int, int, int]]) -> list[tuple]:
    """int_telnyx_number_events over hand-written days (account, phone key, day, risk code),
    with ``accounts`` accounts known (one enterprise each)."""
    con = duckdb.connect()
    con.execute("set variable callrep_since = date '1900-01-01'")
    con.execute(
        "create table int_telnyx_enterprise_days as select date '2026-09-01' as observed_on, "
        "hash('a' || n, 'e') as enterprise_key, 'a' || n as account, 'e' as enterprise_id, "
        "1 as numbers from range(?) as t(n)",
        [accounts],
    )
    con.execute(
        "create table int_telnyx_number_days as select date '2026-09-01' + d as observed_on, "
        "phone_key, hash(account, 'e') as enterprise_key, risk::utinyint as risk_code, "
        "(50 << 21) | (50 << 14) | (50 << 7) | 50 as scores, "  # four scores of 50, packed
        "null::timestamptz as last_refreshed_at "
        "from (select unnest(?, recursive := true)) as t",
        [[{"account": a, "phone_key": k, "d": d, "risk": r} for a, k, d, r in days]],
    )
    sql = (queries_dir() / "intermediate" / "int_telnyx_number_events.sql").read_text("utf-8")
    return con.execute(
        f"select account, phone_key, observed_on - date '2026-09-01', prev_risk_code, risk_code "
        f"from ({sql}) order by all"
    ).fetchall()


def test_number_events_keep_one_phone_in_two_accounts_apart() -> None:
    phone = 999_999_999_999_999  # the largest E.164 key: the account code sits above it
    got = _events(2, [("a0", phone, 0, 1), ("a1", phone, 1, 3), ("a0", phone, 2, 1)])
    # a0 stays low (no event on day 2); a1 is first seen high; nothing mixes across accounts
    assert got == [("a0", phone, 0, None, 1), ("a1", phone, 1, None, 3)]


def test_number_events_refuse_more_accounts_than_the_key_holds() -> None:
    """13 bits of account code above the phone key: more accounts is an error, never a mix."""
    assert _events(8191, [("a0", 1, 0, 1)]) == [("a0", 1, 0, None, 1)]
    with pytest.raises(duckdb.Error, match="more than 8191 Telnyx accounts"):
        _events(8192, [("a0", 1, 0, 1)])
