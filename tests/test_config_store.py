"""Where the store is: ``--store``/``--data-path``, then ``CALLREP_STORE``/``CALLREP_DATA_PATH``,
then ``store``/``data_path`` in callrep.toml, then the default file; checked when settings load,
one line and exit status 2 for a bad one, a password in the conninfo refused unseen."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from unittest.mock import patch

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.cli import cli
from analytics.cli.options import use_store
from analytics.config import load_settings
from analytics.errors import ConfigError

LEVELS = ("flag", "env", "toml")
UNSET = {"CALLREP_STORE": None, "CALLREP_DATA_PATH": None, "CALLREP_DB": None}
LAKE = "ducklake:postgres:dbname={} host=127.0.0.1 user=callrep"


def _toml(folder: Path, lines: dict[str, str]) -> Path:
    path = folder / "callrep.toml"
    path.write_text("".join(f"{key} = {json.dumps(value)}\n" for key, value in lines.items()))
    return path


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    """``os.environ`` with the store variables replaced by ``values``, restored afterwards."""
    with patch.dict(os.environ):
        for key in UNSET:
            os.environ.pop(key, None)
        os.environ.update(values)
        yield


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.sets(st.sampled_from(LEVELS)), st.sets(st.sampled_from(LEVELS), min_size=1))
def test_the_lake_and_its_data_path_come_from_the_highest_level_that_names_them(
    tmp_path: Path, stores: set[str], paths: set[str]
) -> None:
    data = {level: str(tmp_path / f"data-{level}") for level in LEVELS}
    toml = {"store": LAKE.format("toml")} if "toml" in stores else {}
    toml |= {"data_path": data["toml"]} if "toml" in paths else {}
    env = {"CALLREP_CONFIG": str(_toml(tmp_path, toml))}
    env |= {"CALLREP_STORE": LAKE.format("env")} if "env" in stores else {}
    env |= {"CALLREP_DATA_PATH": data["env"]} if "env" in paths else {}
    flag_store = LAKE.format("flag") if "flag" in stores else None
    flag_path = data["flag"] if "flag" in paths else None
    with _environment(env):
        use_store(flag_store, flag_path)
        lake = load_settings().lake
    if not stores:
        assert lake is None
        return
    want = next(level for level in LEVELS if level in stores)
    want_path = next(level for level in LEVELS if level in paths)
    assert lake is not None
    assert lake.conninfo == LAKE.format(want).removeprefix("ducklake:postgres:")
    assert lake.data_path == data[want_path] + "/"


@pytest.mark.parametrize(
    ("flag", "env", "toml", "want"),
    [
        (None, None, {}, "callrep.duckdb"),
        (None, None, {"db": "db.duckdb"}, "db.duckdb"),
        (None, None, {"db": "db.duckdb", "store": "store.duckdb"}, "store.duckdb"),
        (None, {"CALLREP_DB": "e.duckdb"}, {"store": "store.duckdb"}, "e.duckdb"),
        (None, {"CALLREP_STORE": "s.duckdb", "CALLREP_DB": "e.duckdb"}, {}, "s.duckdb"),
        ("f.duckdb", {"CALLREP_STORE": "s.duckdb"}, {"store": "t.duckdb"}, "f.duckdb"),
    ],
)
def test_a_file_store_is_the_database_file(
    tmp_path: Path, flag: str | None, env: dict[str, str] | None, toml: dict[str, str], want: str
) -> None:
    config = _toml(tmp_path, toml)
    args = ["--store", flag] if flag else []
    result = CliRunner().invoke(
        cli, [*args, "runs"], env={**UNSET, **(env or {}), "CALLREP_CONFIG": str(config)}
    )
    assert result.exit_code == 0, result.output
    assert result.output == f"no database at {want} yet\n"


@pytest.mark.parametrize(
    ("toml", "names"),
    [
        ({"store": LAKE.format("x") + " password=hunter2"}, "callrep.toml: store: the conninfo"),
        ({"store": LAKE.format("x")}, "needs a data path"),
        ({"store": LAKE.format("x"), "data_path": "ftp://host/x"}, "callrep.toml: data path:"),
        ({"store": "ducklake:sqlite:x.db", "data_path": "d"}, "callrep.toml: store: expected"),
        ({"store": LAKE.format("x'; drop"), "data_path": "d"}, "callrep.toml: store: the conn"),
    ],
)
def test_a_bad_store_in_the_file_is_one_line_and_exit_2(
    tmp_path: Path, toml: dict[str, str], names: str
) -> None:
    config = _toml(tmp_path, toml)
    result = CliRunner().invoke(cli, ["runs"], env={**UNSET, "CALLREP_CONFIG": str(config)})
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and names in result.stderr, result.stderr
    assert "hunter2" not in result.stderr
    with pytest.raises(ConfigError, match=names.split(": ", 1)[-1][:10]):
        load_settings({"CALLREP_CONFIG": str(config)})


@pytest.mark.parametrize("text", ["store = 5", 'store = ""', "data_path = []", "data_path = 1.5"])
def test_store_keys_of_the_wrong_type_are_named(tmp_path: Path, text: str) -> None:
    config = tmp_path / "callrep.toml"
    config.write_text(text + "\n")
    with pytest.raises(ConfigError, match=text.split(" ")[0] + ": expected") as info:
        load_settings({}, config_file=config)
    assert "\n" not in str(info.value) and info.value.exit_code == 2


def test_the_environment_s_data_path_is_not_blamed_on_the_file(tmp_path: Path) -> None:
    config = _toml(tmp_path, {"store": LAKE.format("x")})
    with pytest.raises(ConfigError) as info:
        load_settings({"CALLREP_DATA_PATH": "ftp://h/x"}, config_file=config)
    assert str(info.value).startswith("data path:")


conninfo_text = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=0, max_size=40
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(conninfo_text, st.booleans())
def test_fuzzed_conninfos_load_or_fail_in_one_line_never_showing_a_password(
    tmp_path: Path, conninfo: str, with_password: bool
) -> None:
    secret = "Sekr1tPassw0rdValue"
    if with_password:
        conninfo += f" password = {secret}"
    env = {"CALLREP_STORE": f"ducklake:postgres:{conninfo}", "CALLREP_DATA_PATH": "s3://b-1/p"}
    try:
        lake = load_settings(env, config_file=tmp_path / "absent.toml").lake
    except ConfigError as err:
        assert "\n" not in str(err) and secret not in str(err)
        return
    assert not with_password and lake is not None and lake.conninfo == conninfo.strip()
