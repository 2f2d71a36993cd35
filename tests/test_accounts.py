"""Many accounts: two Telnyx accounts and one Plivo account, each with its own secret variable,
collected from simulators (routed by host) into one tmp DuckDB through the public interfaces."""

from __future__ import annotations

import string
import tempfile
from datetime import date
from pathlib import Path

import duckdb
import httpx
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from analytics.cli import cli
from analytics.config import ACCOUNT_NAME, load_settings
from analytics.errors import ConfigError
from analytics.orchestration.collect import collect
from analytics.simulator import SimServer, Simulator
from analytics.store.database import open_readonly

START = date(2026, 8, 31)
KEY_WEST = "KEYwestSECRET0123456789abcdef"
KEY_EAST = "KEYeastSECRET0123456789abcdef"
TOKEN_WEST = "plivoWestTokenSECRET0123456789"
PLIVO_ID = "MAWESTACCOUNT0000001"

TEMPLATE = f"""
[[accounts]]
name = "west"
provider = "telnyx"
api_key_env = "TELNYX_KEY_WEST"
base_url = "{{west}}/v2"

[[accounts]]
name = "east"
provider = "telnyx"
api_key_env = "TELNYX_KEY_EAST"
base_url = "{{east}}/v2"
concurrency = 4

[[accounts]]
name = "west"
provider = "plivo"
auth_id = "{PLIVO_ID}"
auth_token_env = "PLIVO_TOKEN_WEST"
base_url = "{{west}}/v1"
"""
TOML = TEMPLATE.format(west="http://west.sim", east="http://east.sim")


class ByHost(httpx.AsyncBaseTransport):
    """One simulator per host: each account talks to its own simulated provider."""

    def __init__(self, sims: dict[str, Simulator]) -> None:
        self.routes = {host: sim.transport() for host, sim in sims.items()}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self.routes[request.url.host].handle_async_request(request)


@pytest.fixture
def sims() -> dict[str, Simulator]:
    west = Simulator(
        seed=3,
        start=START,
        telnyx_numbers=40,
        telnyx_enterprises=2,
        plivo_numbers=15,
        telnyx_api_key=KEY_WEST,
        plivo_auth_id=PLIVO_ID,
        plivo_auth_token=TOKEN_WEST,
    )
    east = Simulator(
        seed=4, start=START, telnyx_numbers=30, telnyx_enterprises=2, telnyx_api_key=KEY_EAST
    )
    return {"west.sim": west, "east.sim": east}


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    config = tmp_path / "callrep.toml"
    config.write_text(TOML, encoding="utf-8")
    return {
        "CALLREP_CONFIG": str(config),
        "CALLREP_DB": str(tmp_path / "c.duckdb"),
        "TELNYX_KEY_WEST": KEY_WEST,
        "TELNYX_KEY_EAST": KEY_EAST,
        "PLIVO_TOKEN_WEST": TOKEN_WEST,
    }


def _rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    con = open_readonly(db)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _all_text(db: Path) -> str:
    """Every value of every table, as text: where a leaked secret would show."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = [r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()]
        return "\n".join(str(con.execute(f'select * from "{t}"').fetchall()) for t in tables)
    finally:
        con.close()


def test_each_account_lands_its_own_rows(env: dict[str, str], sims: dict[str, Simulator]) -> None:
    settings = load_settings(env)
    outcomes = collect(settings, transport=ByHost(sims), collected_at=sims["west.sim"].now)
    assert {(o.source, o.account, o.status) for o in outcomes} == {
        ("telnyx", "west", "succeeded"),
        ("telnyx", "east", "succeeded"),
        ("plivo", "west", "succeeded"),
    }
    db = settings.db_path
    runs = _rows(db, "select source, account, status from collection_runs order by run_id")
    assert sorted(runs) == [
        ("plivo", "west", "succeeded"),
        ("telnyx", "east", "succeeded"),
        ("telnyx", "west", "succeeded"),
    ]
    numbers = dict(
        _rows(db, "select account, count(*) from telnyx_number_snapshots group by account")
    )
    expected = {
        name: sum(len(sim.telnyx.numbers(e["id"])) for e in sim.telnyx.enterprises())
        for name, sim in (("west", sims["west.sim"]), ("east", sims["east.sim"]))
    }
    assert numbers == expected and min(expected.values()) > 0
    # every landed row of every landing table says whose it is
    for table in (
        "raw_responses",
        "telnyx_enterprise_snapshots",
        "telnyx_number_snapshots",
        "telnyx_remediation_requests",
        "plivo_number_snapshots",
        "plivo_profile_snapshots",
    ):
        accounts = {r[0] for r in _rows(db, f"select distinct account from {table}")}
        assert accounts and accounts <= {"west", "east"}, table
    assert _rows(db, "select distinct account from plivo_number_snapshots") == [("west",)]
    text = _all_text(db)
    assert not any(secret in text for secret in (KEY_WEST, KEY_EAST, TOKEN_WEST))


def test_one_accounts_401_never_fails_another(
    env: dict[str, str], sims: dict[str, Simulator]
) -> None:
    env["TELNYX_KEY_EAST"] = "KEYwrongSECRET0123456789abcdef"
    settings = load_settings(env)
    outcomes = {(o.source, o.account): o for o in collect(settings, transport=ByHost(sims))}
    assert outcomes["telnyx", "east"].status == "failed"
    assert "401" in (outcomes["telnyx", "east"].error or "")
    assert outcomes["telnyx", "west"].status == "succeeded"
    assert outcomes["plivo", "west"].status == "succeeded"
    runs = dict(
        _rows(settings.db_path, "select account || '/' || source, status from collection_runs")
    )
    assert runs == {"east/telnyx": "failed", "west/telnyx": "succeeded", "west/plivo": "succeeded"}
    landed = _rows(settings.db_path, "select distinct account from telnyx_number_snapshots")
    assert landed == [("west",)]
    text = _all_text(settings.db_path)
    assert env["TELNYX_KEY_EAST"] not in text and KEY_WEST not in text


def test_account_filter_collects_only_the_accounts_named(
    env: dict[str, str], sims: dict[str, Simulator]
) -> None:
    settings = load_settings(env)
    east = collect(settings, accounts=["east"], transport=ByHost(sims))
    assert [(o.source, o.account) for o in east] == [("telnyx", "east")]
    # the same name across providers is the same customer: both of west's accounts
    west = collect(settings, accounts=["west"], transport=ByHost(sims))
    assert sorted((o.source, o.account) for o in west) == [("plivo", "west"), ("telnyx", "west")]
    runs = _rows(settings.db_path, "select account, source from collection_runs order by run_id")
    assert runs[0] == ("east", "telnyx") and sorted(runs[1:]) == [
        ("west", "plivo"),
        ("west", "telnyx"),
    ]
    with pytest.raises(ConfigError, match="--account: no account named 'north'"):
        collect(settings, accounts=["north"], transport=ByHost(sims))


def test_an_unconfigured_account_is_skipped_unless_named(
    env: dict[str, str], sims: dict[str, Simulator]
) -> None:
    del env["TELNYX_KEY_EAST"]
    settings = load_settings(env)
    outcomes = collect(settings, transport=ByHost(sims))
    assert {(o.account, o.source, o.status) for o in outcomes} == {
        ("west", "telnyx", "succeeded"),
        ("west", "plivo", "succeeded"),
        ("east", "telnyx", "skipped"),
    }
    with pytest.raises(ConfigError, match="--account east: TELNYX_KEY_EAST is not set"):
        collect(settings, accounts=["east"], transport=ByHost(sims))


def test_cli_exit_status_and_lines_name_the_failed_account(
    env: dict[str, str], sims: dict[str, Simulator]
) -> None:
    """The command line against the simulators on loopback servers."""
    with SimServer(sims["west.sim"]) as west, SimServer(sims["east.sim"]) as east:
        Path(env["CALLREP_CONFIG"]).write_text(
            TEMPLATE.format(west=west.url, east=east.url), encoding="utf-8"
        )
        _cli_collects(env)


def _cli_collects(env: dict[str, str]) -> None:
    env["TELNYX_KEY_EAST"] = "KEYwrongSECRET0123456789abcdef"
    result = CliRunner().invoke(cli, ["collect", "--quiet"], env=env)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert any(line.startswith("telnyx/east: FAILED") for line in lines), result.output
    assert any(line.startswith("telnyx/west: ok") for line in lines)
    assert any(line.startswith("plivo/west: ok") for line in lines)
    for secret in (env["TELNYX_KEY_EAST"], KEY_WEST, TOKEN_WEST):
        assert secret not in result.output
    one = CliRunner().invoke(cli, ["collect", "--quiet", "--account", "west"], env=env)
    assert one.exit_code == 0, one.output
    runs = CliRunner().invoke(cli, ["runs"], env=env)
    assert "east" in runs.output and "west" in runs.output


def _config_error(tmp_path: Path, text: str, env: dict[str, str] | None = None) -> str:
    config = tmp_path / "callrep.toml"
    config.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings({"CALLREP_CONFIG": str(config), **(env or {})})
    message = str(info.value)
    assert "\n" not in message and info.value.exit_code == 2
    return message


def test_duplicate_names_per_provider_are_rejected(tmp_path: Path) -> None:
    twice = TOML + '\n[[accounts]]\nname = "east"\nprovider = "telnyx"\napi_key_env = "K2"\n'
    message = _config_error(tmp_path, twice)
    assert "duplicate telnyx account name 'east'" in message


def test_cli_rejects_a_duplicate_with_one_line_and_exit_2(tmp_path: Path) -> None:
    config = tmp_path / "callrep.toml"
    config.write_text(
        TOML + '\n[[accounts]]\nname = "west"\nprovider = "plivo"\nauth_id = "MAB"\n'
        'auth_token_env = "T2"\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["collect"], env={"CALLREP_CONFIG": str(config)})
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "duplicate plivo account name 'west'" in result.output


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ('name = "x"\nprovider = "telnyx"\napi_key_env = "TELNYX_KEY_WEST"\n', "api_key_env"),
        (
            f'name = "x"\nprovider = "plivo"\nauth_id = "{PLIVO_ID}"\nauth_token_env = "T"\n',
            "auth_id",
        ),
        ('name = "Bad Name"\nprovider = "telnyx"\napi_key_env = "K"\n', ".name: expected"),
        ('name = "x"\nprovider = "vonage"\napi_key_env = "K"\n', "provider: expected one of"),
        ('name = "x"\nprovider = "telnyx"\n', "api_key_env: expected the name"),
        (
            'name = "x"\nprovider = "telnyx"\napi_key_env = "K"\nregion = "us"\n',
            "unknown setting",
        ),
        ('name = "x"\nprovider = "plivo"\nauth_id = "MA/1"\nauth_token_env = "T"\n', "auth_id"),
        ('name = "x"\nprovider = "telnyx"\napi_key_env = "K"\nrate = -1\n', "rate: expected"),
        ('name = "x"\nprovider = "telnyx"\napi_key_env = "K"\nbase_url = "ftp://h"\n', "base_url"),
    ],
)
def test_bad_accounts_are_one_line_errors(tmp_path: Path, extra: str, expected: str) -> None:
    assert expected in _config_error(tmp_path, TOML + "\n[[accounts]]\n" + extra)


def test_a_secret_pasted_into_an_account_is_refused_and_not_shown(tmp_path: Path) -> None:
    text = f'[[accounts]]\nname = "x"\nprovider = "telnyx"\napi_key_env = "{KEY_WEST}"\n'
    message = _config_error(tmp_path, text)
    assert "environment" in message and KEY_WEST not in message


def test_without_accounts_the_single_account_variables_are_the_default(tmp_path: Path) -> None:
    settings = load_settings(
        {"TELNYX_API_KEY": "k", "PLIVO_AUTH_ID": "MA1", "PLIVO_AUTH_TOKEN": "t"},
        config_file=tmp_path / "absent.toml",
    )
    assert [(a.provider, a.name) for a in settings.configured()] == [
        ("telnyx", "default"),
        ("plivo", "default"),
    ]
    # listing only Plivo accounts keeps the Telnyx default
    config = tmp_path / "callrep.toml"
    config.write_text(
        '[[accounts]]\nname = "sub"\nprovider = "plivo"\nauth_id = "SA1"\n'
        'auth_token_env = "SUB_TOKEN"\n',
        encoding="utf-8",
    )
    mixed = load_settings({"TELNYX_API_KEY": "k", "SUB_TOKEN": "t2"}, config_file=config)
    assert [(a.provider, a.name) for a in mixed.configured()] == [
        ("telnyx", "default"),
        ("plivo", "sub"),
    ]
    assert mixed.plivo_accounts() == {"SA1": "sub"}
    assert "t2" in mixed.secrets() and "t2" not in repr(mixed)


def test_export_filters_a_mart_keyed_on_account(
    env: dict[str, str], sims: dict[str, Simulator], tmp_path: Path
) -> None:
    settings = load_settings(env)
    collect(settings, transport=ByHost(sims), collected_at=sims["west.sim"].now)
    runner = CliRunner()
    assert runner.invoke(cli, ["build"], env=env).exit_code == 0
    counts = {}
    for account in ("west", "east"):
        out = tmp_path / f"{account}.csv"
        args = ["export", "plivo_carrier_status", "--account", account, "--out", str(out)]
        result = runner.invoke(cli, args, env=env)
        assert result.exit_code == 0, result.output
        lines = out.read_text(encoding="utf-8").splitlines()
        assert lines[0].split(",")[0] == "account"
        assert all(line.startswith(f"{account},") for line in lines[1:])
        counts[account] = len(lines) - 1
    assert counts == {"west": len(sims["west.sim"].plivo.by_number), "east": 0}
    weekly = tmp_path / "weekly.csv"
    args = ["export", "spam_risk_weekly", "--account", "east", "--out", str(weekly)]
    assert runner.invoke(cli, args, env=env).exit_code == 0  # every mart keys on account
    rows = weekly.read_text(encoding="utf-8").splitlines()[1:]
    assert rows and all(line.startswith("east,") for line in rows)
    refused = runner.invoke(cli, ["export", "spam_risk_weekly", "--account", "north"], env=env)
    assert refused.exit_code == 2 and refused.output.count("\n") == 1
    assert "no account named 'north'" in refused.output


@given(name=st.text(alphabet=string.ascii_letters + string.digits + "-_. /:@", max_size=80))
def test_an_account_name_is_accepted_exactly_when_it_is_well_formed(name: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "callrep.toml"
        config.write_text(
            f'[[accounts]]\nname = "{name}"\nprovider = "telnyx"\napi_key_env = "K"\n',
            encoding="utf-8",
        )
        try:
            settings = load_settings({"CALLREP_CONFIG": str(config), "K": "key"})
        except ConfigError as err:
            assert not ACCOUNT_NAME.fullmatch(name)
            assert "\n" not in str(err) and err.exit_code == 2
        else:
            assert ACCOUNT_NAME.fullmatch(name)
            assert [a.name for a in settings.configured()] == [name]
