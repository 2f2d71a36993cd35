"""No credential in any output, in any spelling, whatever the server sends back.

Every hostile scenario runs through the CLI into one database; then the models are built,
the report is written and every mart exported. The credentials (the Telnyx key, the Plivo
token and the ``auth_id:auth_token`` pair Basic auth encodes) are then looked for, in every
form below, in: the database file and its published copy (bytes, and every value of every
table), stdout and stderr, the log records, the report and the exports.
"""

from __future__ import annotations

import base64
import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, quote_plus

import duckdb
import pytest
from click.testing import CliRunner

from analytics.cli import cli
from analytics.report.weeks import IsoWeek
from analytics.store.database import published_path
from tests import hostile
from tests.test_hostile_server import PLIVO_ID, PLIVO_TOKEN, TELNYX_KEY, env_for

SCENARIOS = ("echo", "echo_error", "newline", "redirect", "bomb", "non_object", "overflow")
SECRETS = (TELNYX_KEY, PLIVO_TOKEN, f"{PLIVO_ID}:{PLIVO_TOKEN}")


def leak_forms(secret: str) -> dict[str, str]:
    """Each spelling of `secret` to look for, named; base64 at every alignment in a text."""
    raw = secret.encode()
    forms = {
        "raw": secret,
        "json": json.dumps(secret)[1:-1],
        "percent": quote(secret, safe=""),
        "percent_plus": quote_plus(secret),
    }
    for shift in range(3):
        for name, encode in (("b64", base64.b64encode), ("b64url", base64.urlsafe_b64encode)):
            encoded = encode(b"\0" * shift + raw).decode()
            # Quartets after the first and before the last hold secret bytes only.
            forms[f"{name}_{shift}"] = encoded[4 : 4 * ((shift + len(raw)) // 3)]
    return forms


FORMS = [(s, name, form) for s in SECRETS for name, form in leak_forms(s).items()]


def leaks(text: str) -> list[str]:
    """Which (secret, form) pairs occur in `text` (percent forms in any hex case)."""
    lowered = text.lower()
    found = []
    for secret, name, form in FORMS:
        hit = form.lower() in lowered if name.startswith("percent") else form in text
        if hit:
            found.append(f"{name} of {secret[:6]}…")
    return found


def dump(db: Path) -> str:
    """Every value of every table and view in `db`, as text."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables"
        ).fetchall()
        return "\n".join(
            str(con.execute(f'select * from "{schema}"."{name}"').fetchall())
            for schema, name in tables
        )
    finally:
        con.close()


def test_the_form_list_catches_what_raw_only_redaction_would_miss() -> None:
    text = base64.b64encode(b"xy" + TELNYX_KEY.encode()).decode() + json.dumps(PLIVO_TOKEN)
    assert TELNYX_KEY not in text and PLIVO_TOKEN not in text
    assert len(leaks(text)) >= 2


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Every output of one database's life under every scenario, by where it came from."""
    tmp = tmp_path_factory.mktemp("secrets")
    runner = CliRunner()
    texts: dict[str, str] = {}
    handler = _Capture()
    logging.getLogger().addHandler(handler)
    logging.getLogger().setLevel(logging.DEBUG)
    try:
        for scenario in SCENARIOS:
            with hostile.serve(scenario, bomb_mib=8) as server:
                env = env_for(server, tmp)
                result = runner.invoke(cli, ["collect"], env=env)
            assert result.exit_code in (0, 1), result.output
            texts[f"{scenario}: stdout and stderr"] = result.output + str(result.exception or "")
        assert runner.invoke(cli, ["build", "--full"], env=env).exit_code == 0
        # the collections ran now, in a week that has not ended: name it
        week = IsoWeek.of(datetime.now(UTC).date()).label
        report = runner.invoke(
            cli, ["report", "--week", week, "--out", str(tmp / "reports")], env=env
        )
        assert report.exit_code == 0, report.output
        texts["report command"] = report.output
        marts = runner.invoke(cli, ["export", "--list"], env=env).output.split()
        for mart in [m for m in marts if m.isidentifier()]:
            out = runner.invoke(cli, ["export", mart, "--out", str(tmp / f"{mart}.csv")], env=env)
            texts[f"export {mart}"] = out.output
    finally:
        logging.getLogger().removeHandler(handler)
    db = Path(env["CALLREP_DB"])
    texts["log records"] = "\n".join(handler.lines)
    texts["database values"] = dump(db)
    texts["published copy values"] = dump(published_path(db))
    for path in sorted(p for p in tmp.rglob("*") if p.is_file()):
        texts[f"file {path.relative_to(tmp)}"] = path.read_bytes().decode("latin-1")
    return texts


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def test_every_output_was_produced_and_the_echo_stored_masked(outputs: dict[str, str]) -> None:
    assert "***" in outputs["database values"]
    assert any(name.startswith("file reports/") and name.endswith(".html") for name in outputs)
    assert sum(name.endswith(".csv") for name in outputs) >= 3
    assert "GET" in outputs["log records"]


def test_no_credential_form_in_any_output(outputs: dict[str, str]) -> None:
    found = {where: hits for where, text in outputs.items() if (hits := leaks(text))}
    assert found == {}
