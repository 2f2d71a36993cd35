"""callrep.toml and credentials: every bad file or value is one ConfigError line, never a
traceback; unknown keys, non-table sections and secrets are refused; *_env keys work."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.cli import cli
from analytics.config import load_settings
from analytics.errors import ConfigError
from analytics.http.limits import CAP_SETTINGS, ProviderLimits

KNOWN_KEYS = [
    "db", "store", "data_path", "base_url", "concurrency", "rate", "period_seconds",
    "timeout_seconds",
    "api_key_env", "auth_id_env", "auth_token_env", "telnyx_base_usd", "projection_months",
    "plivo_billing_anchor", *CAP_SETTINGS.values(),
]  # fmt: skip
SECRETISH = "KEY0190abcDEF0123456789xyz"


def load(tmp_path: Path, text: str, env: dict[str, str] | None = None) -> object:
    path = tmp_path / "callrep.toml"
    path.write_text(text)
    return load_settings({"TELNYX_API_KEY": "k", **(env or {})}, config_file=path)


def one_line_error(tmp_path: Path, text: str, env: dict[str, str] | None = None) -> str:
    with pytest.raises(ConfigError) as info:
        load(tmp_path, text, env)
    message = str(info.value)
    assert "\n" not in message and info.value.exit_code == 2
    return message


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("[telnyx]\nconcurrencyy = 3\n", "telnyx.concurrencyy"),
        ("[telnix]\nconcurrency = 3\n", "telnix"),
        ('dbx = "x.duckdb"\n', "dbx"),
        ("[plivo.extra]\nx = 1\n", "plivo.extra"),
    ],
)
def test_unknown_keys_name_the_key_and_the_accepted_ones(
    tmp_path: Path, text: str, names: str
) -> None:
    message = one_line_error(tmp_path, text)
    assert names in message and "unknown setting" in message and "known:" in message


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("telnyx = 5\n", "telnyx: expected a table"),
        ('pricing = "x"\n', "pricing: expected a table"),
        ("db = 5\n", "db: expected a file path"),
        ("x = " + "[" * 5000 + "]" * 5000 + "\n", "not valid TOML"),
        ("[telnyx]\nmax_pages = 1.5\n", "telnyx.max_pages"),
        ("[plivo]\nrun_deadline_seconds = inf\n", "plivo.run_deadline_seconds"),
        ("[telnyx]\ntimeout_seconds = nan\n", "telnyx.timeout_seconds"),
        ("[pricing]\ntelnyx_base_usd = inf\n", "pricing.telnyx_base_usd"),
        ("[telnyx]\napi_key_env = 'not a name!'\n", "telnyx.api_key_env"),
        ("[plivo]\nauth_token_env = 5\n", "plivo.auth_token_env"),
    ],
)
def test_wrong_types_are_one_line(tmp_path: Path, text: str, names: str) -> None:
    assert names in one_line_error(tmp_path, text)


@pytest.mark.parametrize(
    "text",
    [
        "[telnyx]\nauth = 'Basic bWU6cGFzc3dvcmQ='\n",
        "[plivo]\ncredentials = 'whatever'\n",
        f"[telnyx]\nbase_url = '{SECRETISH}'\n",
        f"db = '{SECRETISH}'\n",
        f"[telnyx]\nconcurrency = '{SECRETISH}'\n",
        f"[pricing]\nplivo_billing_anchor = '{SECRETISH}'\n",
    ],
)
def test_secrets_are_refused_by_name_or_shape_and_never_shown(tmp_path: Path, text: str) -> None:
    message = one_line_error(tmp_path, text)
    assert SECRETISH not in message and "bWU6cGFzc3dvcmQ" not in message
    assert "environment" in message


def test_paths_and_variable_names_are_not_mistaken_for_secrets(tmp_path: Path) -> None:
    text = (
        "db = '/var/lib/callrep/callrep_production_2026_primary.duckdb'\n"
        "[telnyx]\napi_key_env = 'TELNYX_KEY_WEST_2026_PRIMARY'\n"
    )
    found = load(tmp_path, text, {"TELNYX_KEY_WEST_2026_PRIMARY": "k"})
    assert found.db_path.name == "callrep_production_2026_primary.duckdb"  # type: ignore[attr-defined]


def test_a_token_pasted_into_an_env_key_is_refused(tmp_path: Path) -> None:
    message = one_line_error(tmp_path, f"[plivo]\nauth_token_env = '{SECRETISH}'\n")
    assert "environment" in message and SECRETISH not in message


def test_env_keys_name_the_variable_that_holds_the_credential(tmp_path: Path) -> None:
    text = (
        "[telnyx]\napi_key_env = 'TELNYX_KEY_WEST_2026_PRIMARY'\n"
        "[plivo]\nauth_id_env = 'PLIVO_ID_WEST'\nauth_token_env = 'PLIVO_TOKEN_WEST'\n"
    )
    env = {
        "TELNYX_KEY_WEST_2026_PRIMARY": "KEYwest",
        "PLIVO_ID_WEST": "MAWEST",
        "PLIVO_TOKEN_WEST": "tokwest",
    }
    found = load(tmp_path, text, env)
    assert found.account("telnyx").api_key == "KEYwest"  # type: ignore[attr-defined]
    plivo = found.account("plivo")
    assert (plivo.auth_id, plivo.auth_token) == ("MAWEST", "tokwest")  # type: ignore[union-attr]


def test_caps_come_from_the_toml(tmp_path: Path) -> None:
    found = load(tmp_path, "[telnyx]\nmax_pages = 10\nrequest_deadline_seconds = 2.5\n")
    limits = found.account("telnyx").limits  # type: ignore[attr-defined]
    assert (limits.max_pages, limits.request_deadline) == (10, 2.5)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TELNYX_API_KEY", "KEYfirst\nsecond-half-SECRET"),
        ("TELNYX_API_KEY", "KEYnön-ascii-SECRET"),
        ("PLIVO_AUTH_TOKEN", "tok en-SECRET"),
        ("PLIVO_AUTH_TOKEN", "tok\x00en-SECRET"),
        ("PLIVO_AUTH_ID", "MA\u200bSECRET"),
    ],
)
def test_credentials_must_be_printable_ascii_and_are_never_shown(
    tmp_path: Path, name: str, value: str
) -> None:
    env = {"PLIVO_AUTH_ID": "MA1", "PLIVO_AUTH_TOKEN": "t", name: value}
    message = one_line_error(tmp_path, "", env)
    assert name in message and "SECRET" not in message and "second" not in message


def test_the_cli_says_one_line_and_exits_2(tmp_path: Path) -> None:
    config = tmp_path / "callrep.toml"
    config.write_text("telnyx = 5\n")
    result = CliRunner().invoke(
        cli, ["runs", "--db", str(tmp_path / "x.duckdb")], env={"CALLREP_CONFIG": str(config)}
    )
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "telnyx: expected a table" in result.output


# --- fuzz ---------------------------------------------------------------------------------

scalars = (
    st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True)
    | st.booleans()
    | st.text(max_size=30)
    | st.sampled_from([SECRETISH, "calendar", "http://127.0.0.1:1/v2", "X_ENV"])
)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3), max_leaves=6)
keys = st.sampled_from(KNOWN_KEYS) | st.text(min_size=1, max_size=12)
sections = st.sampled_from(["", "telnyx", "plivo", "pricing"]) | st.text(min_size=1, max_size=8)


def toml_value(value: object) -> str:
    """A TOML literal for a scalar or array (strings JSON-escaped, which TOML accepts)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        return repr(value) if math.isfinite(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, str):
        return json.dumps(value)
    return str(value)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(sections, keys, values), max_size=6))
def test_fuzzed_files_load_or_fail_in_one_line(
    tmp_path: Path, entries: list[tuple[str, str, object]]
) -> None:
    by_section: dict[str, list[str]] = {}
    for section, key, value in entries:
        by_section.setdefault(section, []).append(f"{json.dumps(key)} = {toml_value(value)}")
    text = "\n".join(by_section.pop("", []))
    for section, lines in by_section.items():
        text += f"\n[{json.dumps(section)}]\n" + "\n".join(lines)
    try:
        load(tmp_path, text + "\n")
    except ConfigError as err:
        assert "\n" not in str(err) and SECRETISH not in str(err)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=200))
def test_fuzzed_text_loads_or_fails_in_one_line(tmp_path: Path, text: str) -> None:
    try:
        load(tmp_path, text)
    except ConfigError as err:
        assert "\n" not in str(err)


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(["TELNYX_API_KEY", "PLIVO_AUTH_TOKEN"]), st.text(min_size=12))
def test_fuzzed_credentials_load_or_fail_without_showing_the_value(
    tmp_path: Path, name: str, value: str
) -> None:
    env = {"PLIVO_AUTH_ID": "MA1", "PLIVO_AUTH_TOKEN": "t", name: value}
    try:
        load(tmp_path, "", env)
    except ConfigError as err:
        assert "\n" not in str(err) and value.strip() not in str(err)


def test_the_readme_documents_every_cap_with_its_default() -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    defaults = ProviderLimits()
    for field_name, setting in CAP_SETTINGS.items():
        row = re.search(rf"^\| `{setting}` \|[^|]+\| `([0-9.]+)`", readme, re.MULTILINE)
        assert row, f"README lacks the {setting} row"
        assert float(row.group(1)) == getattr(defaults, field_name), setting
