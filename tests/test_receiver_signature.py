"""Our V3 signature check agrees with the official ``plivo`` package's validate_v3_signature."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from plivo.utils.signature_v3 import validate_v3_signature

from analytics.receiver import signature
from tests.receiver_helpers import AUTH_TOKEN, payload, plivo_signature

URL = "https://callbacks.example.com/plivo/caller-reputation"
text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)
keys = st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12)
values = st.one_of(text, st.integers(), st.booleans(), st.lists(text, min_size=1, max_size=3))
params_st = st.dictionaries(keys, values, max_size=6)
queries = st.sampled_from(["", "?a=1", "?b=2&a=1", "?x=&y=%20z", "?k=v&k=w"])
nonces = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=30)


def both(method: str, url: str, params: dict[str, Any], nonce: str, token: str, header: str):
    theirs = validate_v3_signature(method, url, nonce, token, header, dict(params))
    ours = signature.valid(method, url, params, nonce, token, header)
    return ours, theirs


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["GET", "POST"]), queries, params_st, nonces)
def test_valid_signatures_agree(method: str, query: str, params: dict[str, Any], nonce: str):
    url = URL + query
    header = plivo_signature(method, url, params, nonce)
    assert signature.signed_text(method, url, params)  # never empty
    assert both(method, url, params, nonce, AUTH_TOKEN, header) == (True, True)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["GET", "POST"]), queries, params_st, nonces, st.text(max_size=60))
def test_any_header_gets_the_same_answer(
    method: str, query: str, params: dict[str, Any], nonce: str, header: str
):
    ours, theirs = both(method, URL + query, params, nonce, AUTH_TOKEN, header)
    assert ours == theirs


def test_tampered_body_wrong_token_and_wrong_url_fail_in_both():
    params = payload()
    header = plivo_signature("POST", URL, params, "n1")
    tampered = {**params, "caller_reputation_status": "FAILED"}
    assert both("POST", URL, tampered, "n1", AUTH_TOKEN, header) == (False, False)
    assert both("POST", URL, params, "n1", "another-token", header) == (False, False)
    assert both("POST", URL.replace("https", "http"), params, "n1", AUTH_TOKEN, header) == (
        False,
        False,
    )
    assert both("POST", URL + "/x", params, "n1", AUTH_TOKEN, header) == (False, False)
    assert both("POST", URL, params, "n2", AUTH_TOKEN, header) == (False, False)


def test_replayed_nonce_still_verifies_in_both():
    """V3 signs no timestamp: the same request verifies again (the receiver logs it)."""
    params = payload()
    header = plivo_signature("POST", URL, params, "same")
    for _ in range(2):
        assert both("POST", URL, params, "same", AUTH_TOKEN, header) == (True, True)


def test_a_header_with_several_signatures_accepts_any_of_them():
    params = payload()
    good = plivo_signature("POST", URL, params, "n")
    header = f"{plivo_signature('POST', URL, params, 'n', 'old-token')},{good}"
    assert both("POST", URL, params, "n", AUTH_TOKEN, header) == (True, True)
