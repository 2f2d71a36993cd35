"""``callrep callbacks serve``: bad settings are one line and exit status 2, before listening."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from analytics.cli import cli
from analytics.receiver.segments import LOCK, spool_dir
from tests.receiver_helpers import AUTH_ID, PATH_TOKEN

BASE_ENV = {"PLIVO_AUTH_ID": AUTH_ID, "PLIVO_AUTH_TOKEN": None, "CALLREP_CALLBACK_TOKEN": None}


def serve(args: list[str], **env: str | None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["callbacks", "serve", *args], env={**BASE_ENV, **env})
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        ([], {}, "nothing to authenticate callbacks with"),
        ([], {"PLIVO_AUTH_ID": None}, "PLIVO_AUTH_ID"),
        ([], {"CALLREP_CALLBACK_TOKEN": "short"}, "CALLREP_CALLBACK_TOKEN: expected 16"),
        (["--public-url", "ftp://x"], {"PLIVO_AUTH_TOKEN": "t"}, "--public-url"),
        (["--public-url", "https://h/p"], {"PLIVO_AUTH_TOKEN": "t"}, "--public-url"),
        (["--public-url", "https://u:p@h"], {"PLIVO_AUTH_TOKEN": "t"}, "--public-url"),
    ],
)
def test_bad_settings_are_one_line_and_exit_2(
    args: list[str], env: dict[str, str | None], message: str, tmp_path: Path
):
    code, output = serve([*args, "--spool", str(tmp_path / "s")], **env)
    assert code == 2
    assert message in output and len(output.strip().splitlines()) == 1


def test_a_spool_another_receiver_holds_is_refused(tmp_path: Path):
    spool = tmp_path / "s"
    spool.mkdir()
    fd = os.open(spool / LOCK, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        code, output = serve(["--spool", str(spool)], CALLREP_CALLBACK_TOKEN=PATH_TOKEN)
    finally:
        os.close(fd)
    assert code == 2 and "another receiver is writing this spool" in output


def test_the_default_spool_is_beside_the_database(tmp_path: Path):
    db = tmp_path / "x" / "c.duckdb"
    assert spool_dir(db, {}) == tmp_path / "x" / "c.duckdb.callbacks"
    assert spool_dir(db, {"CALLREP_SPOOL": "/srv/spool"}) == Path("/srv/spool")
