"""Settings: environment first, callrep.toml for non-secrets, one-line errors naming the setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from analytics.config import PLIVO_DEFAULT_URL, TELNYX_DEFAULT_URL, load_settings
from analytics.errors import ConfigError


def test_defaults_with_nothing_set(tmp_path: Path) -> None:
    settings = load_settings({}, config_file=tmp_path / "absent.toml")
    assert settings.db_path == Path("callrep.duckdb")
    assert settings.configured() == []
    assert settings.pricing.plivo_business_usd == 12.0


def test_environment_and_db_override(tmp_path: Path) -> None:
    env = {
        "TELNYX_API_KEY": "k",
        "CALLREP_DB": "/data/x.duckdb",
        "PLIVO_AUTH_ID": "MA1",
        "PLIVO_AUTH_TOKEN": "t",
    }
    settings = load_settings(env, config_file=tmp_path / "absent.toml")
    assert settings.db_path == Path("/data/x.duckdb")
    assert (t := settings.account("telnyx")) and t.base_url == TELNYX_DEFAULT_URL
    assert (p := settings.account("plivo")) and p.base_url == PLIVO_DEFAULT_URL
    assert load_settings(env, db="/tmp/y.duckdb", config_file=tmp_path / "a").db_path == Path(
        "/tmp/y.duckdb"
    )


def test_secrets_are_not_in_repr(tmp_path: Path) -> None:
    env = {
        "TELNYX_API_KEY": "KEY-SECRET-1",
        "PLIVO_AUTH_ID": "MA1",
        "PLIVO_AUTH_TOKEN": "TOKEN-SECRET-2",
    }
    text = repr(load_settings(env, config_file=tmp_path / "a"))
    assert "KEY-SECRET-1" not in text and "TOKEN-SECRET-2" not in text


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"TELNYX_API_KEY": "k", "TELNYX_BASE_URL": "ftp://x"}, "TELNYX_BASE_URL"),
        ({"TELNYX_API_KEY": "k", "TELNYX_BASE_URL": "https://u:p@host/v2"}, "TELNYX_BASE_URL"),
        ({"PLIVO_AUTH_ID": "MA1"}, "PLIVO_AUTH_TOKEN"),
        ({"PLIVO_AUTH_TOKEN": "t"}, "PLIVO_AUTH_ID"),
        ({"PLIVO_AUTH_ID": "MA/../1", "PLIVO_AUTH_TOKEN": "t"}, "PLIVO_AUTH_ID"),
    ],
)
def test_bad_environment_names_the_setting(tmp_path: Path, env: dict[str, str], names: str) -> None:
    with pytest.raises(ConfigError, match=names) as info:
        load_settings(env, config_file=tmp_path / "absent.toml")
    assert "\n" not in str(info.value)
    assert info.value.exit_code == 2


def test_toml_supplies_non_secret_settings(tmp_path: Path) -> None:
    path = tmp_path / "callrep.toml"
    path.write_text(
        'db = "from-file.duckdb"\n[telnyx]\nconcurrency = 8\n[plivo]\nrate = 100\n'
        '[pricing]\nplivo_billing_anchor = "anniversary"\nprojection_months = 6\n'
    )
    env = {"TELNYX_API_KEY": "k", "PLIVO_AUTH_ID": "MA1", "PLIVO_AUTH_TOKEN": "t"}
    settings = load_settings(env, config_file=path)
    assert settings.db_path == Path("from-file.duckdb")
    assert (t := settings.account("telnyx")) and t.limits.concurrency == 8
    assert (p := settings.account("plivo")) and p.limits.rate == 100
    assert settings.pricing.plivo_billing_anchor == "anniversary"
    assert settings.pricing.projection_months == 6


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("[telnyx]\napi_key = 'x'\n", "telnyx.api_key"),
        ("[telnyx]\nconcurrency = 0\n", "telnyx.concurrency"),
        ("[telnyx]\nconcurrency = 'many'\n", "telnyx.concurrency"),
        ("[pricing]\nplivo_billing_anchor = 'weekly'\n", "plivo_billing_anchor"),
        ("[pricing]\nbogus = 1\n", "pricing.bogus"),
        ("not = [valid", "callrep.toml"),
    ],
)
def test_bad_toml_names_the_setting(tmp_path: Path, text: str, names: str) -> None:
    path = tmp_path / "callrep.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=names.replace(".", r"\.")):
        load_settings({"TELNYX_API_KEY": "k"}, config_file=path)


def test_named_config_file_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="CALLREP_CONFIG"):
        load_settings({"CALLREP_CONFIG": str(tmp_path / "nope.toml")})
