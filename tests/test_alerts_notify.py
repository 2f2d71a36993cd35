"""Destinations from CALLREP_NOTIFY: split as written, each URL once, none ever shown."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.errors import ConfigError
from analytics.notify import load_destinations

hosts = st.from_regex(r"[a-z]{1,10}(\.[a-z]{2,5})?", fullmatch=True)
paths = st.from_regex(r"[A-Za-z0-9]{0,12}", fullmatch=True)
separators = st.sampled_from([" ", ",", ", ", "\n", "\t", " , "])


@settings(max_examples=40)
@given(st.lists(st.tuples(hosts, paths), min_size=1, max_size=5), separators)
def test_every_url_becomes_one_destination(parts, separator):
    urls = [f"json://{host}/{path}" for host, path in parts]
    found = load_destinations({"CALLREP_NOTIFY": separator.join(urls)})
    assert len(found) == len(set(urls))
    assert len({d.key for d in found}) == len(found)
    for destination in found:
        assert all(url not in destination.name for url in urls)
        assert url_free(repr(destination), urls)


def url_free(text: str, urls: list[str]) -> bool:
    return not any(url in text for url in urls)


def test_a_comma_inside_a_url_stays_in_it():
    found = load_destinations(
        {
            "CALLREP_NOTIFY": "mailto://127.0.0.1:2525?from=a@example.com&to=b@example.com,c@example.com"
        }
    )
    assert len(found) == 1


@settings(max_examples=40)
@given(st.from_regex(r"[A-Za-z0-9_]{4,20}", fullmatch=True), st.sampled_from([" ", "\n", " , "]))
def test_text_that_is_no_url_is_refused_without_being_shown(junk, separator):
    with pytest.raises(ConfigError) as err:
        load_destinations({"CALLREP_NOTIFY": f"json://hooks.example.com/a{separator}{junk}"})
    assert "entry 2" in str(err.value) and junk not in str(err.value)


def test_an_unknown_scheme_is_refused_by_position():
    with pytest.raises(ConfigError, match="entry 1 is not a notification URL"):
        load_destinations({"CALLREP_NOTIFY": "nosuch://Zq8SecretPart77"})


def test_no_setting_means_no_destination():
    assert load_destinations({}) == []
