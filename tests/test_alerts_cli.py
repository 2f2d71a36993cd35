"""``callrep alerts`` and ``callrep collect --alert`` through the command line: human and JSON
output, --dry-run, --exit-status, delivery to a loopback webhook and a loopback SMTP server,
one redacted line for a failed delivery, and notification URLs never shown."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from analytics.cli import cli
from analytics.simulator import Simulator, serve
from analytics.store.database import connect
from tests.alert_helpers import TOKEN, smtp, webhook
from tests.test_report_fixtures import report_db
from tests.test_secrets_everywhere import leak_forms

NO_PROVIDERS = {"TELNYX_API_KEY": "", "PLIVO_AUTH_ID": "", "PLIVO_AUTH_TOKEN": ""}


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A private copy of the shared built database (alerts write their episodes into it)."""
    path = tmp_path / "callrep.duckdb"
    shutil.copyfile(report_db(), path)
    return path


def _env(tmp_path: Path, **values: str) -> dict[str, str | None]:
    """The test's environment: no provider, config file or destination unless given."""
    return {**NO_PROVIDERS, "CALLREP_CONFIG": None, "CALLREP_NOTIFY": None, **values}


def _alerts(db: Path, env: dict[str, str], *args: str):
    return CliRunner().invoke(cli, ["alerts", "--db", str(db), *args], env=env)


def _count(db: Path, table: str) -> int:
    con = connect(db, read_only=True)
    try:
        return con.execute(f"select count(*) from {table}").fetchone()[0]
    finally:
        con.close()


def _high(db: Path) -> list[str]:
    con = connect(db, read_only=True)
    try:
        rows = con.execute(
            "select phone_number from number_overview where spam_risk = 'high' order by 1"
        ).fetchall()
    finally:
        con.close()
    return [r[0] for r in rows]


def test_dry_run_shows_what_would_be_sent_and_records_nothing(db, tmp_path):
    with webhook() as hook:
        result = _alerts(db, _env(tmp_path, CALLREP_NOTIFY=hook.url()), "--dry-run", "--json")
        assert result.exit_code == 0, result.output
        assert hook.bodies == []
    items = [json.loads(line) for line in result.stdout.splitlines()]
    assert items and {i["status"] for i in items} == {"new"}
    assert {i["subject"] for i in items if i["rule"] == "number-high"} == {
        f"default / {number}" for number in _high(db)
    }
    assert all(i["next_step"] for i in items)
    assert "would send" in result.stderr and TOKEN not in result.output
    assert _count(db, "alert_episodes") == 0 and _count(db, "alert_announcements") == 0


def test_exit_status_is_1_only_when_new_items_were_announced(db, tmp_path):
    with webhook() as hook:
        env = _env(tmp_path, CALLREP_NOTIFY=hook.url())
        first = _alerts(db, env, "--exit-status")
        assert first.exit_code == 1, first.output
        high = _high(db)
        assert f"Numbers high risk: {len(high):,} open ({len(high):,} new)" in first.stdout
        assert high[0] in first.stdout and "… and" in first.stdout  # the first few, then a count
        assert "sent to JSON destination 1" in first.stdout
        assert len(hook.bodies) == 1
        assert hook.bodies[0]["title"].startswith(f"callrep: {_count(db, 'alert_episodes')} new")

        second = _alerts(db, env, "--exit-status")
        assert second.exit_code == 0, second.output
        assert "new)" not in second.stdout and len(hook.bodies) == 1  # nothing announced twice


def test_a_failed_delivery_is_one_redacted_line_and_is_retried(db, tmp_path):
    with webhook() as hook:
        hook.status = 503
        env = _env(tmp_path, CALLREP_NOTIFY=hook.url())
        failed = _alerts(db, env, "--exit-status")
        assert failed.exit_code == 0, failed.output  # nothing was announced
        lines = [line for line in failed.stderr.splitlines() if "failed" in line]
        assert len(lines) == 1 and "retries" in lines[0]
        assert not [f for f in leak_forms(TOKEN).values() if f in failed.output]
        assert _count(db, "alert_announcements") == 0

        hook.status = 200
        retried = _alerts(db, env, "--exit-status")
        assert retried.exit_code == 1 and len(hook.bodies) == 1
        assert _count(db, "alert_announcements") == _count(db, "alert_episodes")
    assert TOKEN.encode() not in db.read_bytes()


def test_delivery_by_mail_to_a_loopback_smtp_server_from_the_config_file(db, tmp_path):
    with smtp() as box:
        apprise_file = tmp_path / "notify.txt"
        apprise_file.write_text(box.url() + "\n")
        config = tmp_path / "callrep.toml"
        config.write_text(f'notify_config = "{apprise_file}"\n')
        result = _alerts(db, _env(tmp_path, CALLREP_CONFIG=str(config)))
        assert result.exit_code == 0, result.output
    assert len(box.messages) == 1
    message = box.messages[0]
    assert message["Subject"].startswith("callrep: ") and message["To"] == "ops@example.com"
    text = "".join(
        part.get_payload(decode=True).decode()
        for part in message.walk()
        if part.get_content_type() == "text/plain"
    )
    assert "Numbers high risk" in text and _high(db)[0] in text


@pytest.mark.parametrize(
    "value",
    ["nosuchscheme://Zq8SecretPart77/x", "json://127.0.0.1:1/a json:/broken/Zq8SecretPart77"],
)
def test_a_bad_notification_url_is_one_line_that_never_shows_it(db, tmp_path, value):
    result = _alerts(db, _env(tmp_path, CALLREP_NOTIFY=value))
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "CALLREP_NOTIFY: " in result.stderr
    assert "Zq8SecretPart77" not in result.output


def test_no_database_is_one_line_and_creates_none(tmp_path):
    missing = tmp_path / "typo.duckdb"
    result = _alerts(missing, _env(tmp_path))
    assert result.exit_code != 0 and "no callrep database" in result.stderr
    assert not missing.exists()


def test_a_url_in_callrep_toml_is_refused_without_showing_it(db, tmp_path):
    config = tmp_path / "callrep.toml"
    config.write_text('notify_config = "json://hooks.example.com/Zq8SecretPart77"\n')
    result = _alerts(db, _env(tmp_path, CALLREP_CONFIG=str(config)))
    assert result.exit_code == 2 and "notify_config" in result.stderr
    assert "Zq8SecretPart77" not in result.output


def test_collect_alert_builds_then_announces(tmp_path):
    sim = Simulator(seed=2, telnyx_numbers=30, plivo_numbers=10)
    db = tmp_path / "c.duckdb"
    with serve(sim, port=0) as srv, webhook() as hook:
        env = _env(
            tmp_path,
            TELNYX_API_KEY=sim.telnyx_api_key,
            TELNYX_BASE_URL=srv.telnyx_base_url,
            CALLREP_NOTIFY=hook.url(),
        )
        result = CliRunner().invoke(cli, ["collect", "--db", str(db), "--alert"], env=env)
        assert result.exit_code == 0, result.output
        assert "telnyx: ok" in result.stdout and "sent to JSON destination 1" in result.stdout
        assert len(hook.bodies) == 1
        again = CliRunner().invoke(cli, ["alerts", "--db", str(db), "--exit-status"], env=env)
        assert again.exit_code == 0 and len(hook.bodies) == 1
    assert _count(db, "alert_episodes") > 0
