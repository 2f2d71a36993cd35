"""jsonparse.loads: orjson's speed, the stdlib's acceptance."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analytics.http.jsonparse import loads

values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(values, st.booleans())
def test_same_value_as_the_stdlib(value: object, ascii_only: bool) -> None:
    text = json.dumps(value, ensure_ascii=ascii_only)
    assert loads(text) == json.loads(text)


@pytest.mark.parametrize(
    "text",
    [
        '{"data": [{"score": 1e400}]}',  # orjson refuses out-of-range floats
        '{"n": 123456789012345678901234567890}',  # beyond 64 bits: orjson would give a float
        '{"n": -9223372036854775809}',
        '{"x": NaN, "y": -Infinity}',
        '{"s": "\\ud800"}',  # a lone surrogate escape
    ],
)
def test_pages_orjson_refuses_are_read_by_the_stdlib(text: str) -> None:
    got, want = loads(text), json.loads(text)
    assert repr(got) == repr(want)  # repr: NaN != NaN


@given(st.integers(min_value=-(2**200), max_value=2**200))
def test_integers_of_any_size_stay_exact(n: int) -> None:
    got = loads(f'{{"n": {n}}}')["n"]
    assert type(got) is int and got == n


def test_an_out_of_range_float_is_infinity_like_the_stdlib() -> None:
    assert loads('{"v": 1e400}')["v"] == math.inf


@pytest.mark.parametrize("text", ["", "{", '{"a": 1,}', "[1] x"])
def test_invalid_json_is_a_value_error(text: str) -> None:
    with pytest.raises(ValueError):
        loads(text)
