"""Secrets never survive redaction (analytics.http.redact)."""

from __future__ import annotations

import base64
import json
import string
from urllib.parse import quote, quote_plus

import httpx
from hypothesis import given
from hypothesis import strategies as st

from analytics.http import redact_text, redact_url
from analytics.http.redact import Redactor

SECRET = "KEY0190abcDEF_secret/+="


def leaks(text: str, secret: str) -> bool:
    forms = {secret, quote(secret), quote(secret, safe=""), quote_plus(secret)}
    return any(form.lower() in text.lower() for form in forms)


def test_userinfo_is_dropped() -> None:
    assert redact_url("https://AC123:hunter2@api.plivo.com/v1/") == "https://api.plivo.com/v1/"


def test_secret_looking_query_values_are_masked() -> None:
    url = "https://x.test/a?page=2&api_key=k1&auth_token=k2&Signature=k3&password=k4&limit=20"
    assert redact_url(url) == (
        "https://x.test/a?page=2&api_key=***&auth_token=***&Signature=***&password=***&limit=20"
    )


def test_known_secret_is_masked_in_path_query_and_fragment() -> None:
    url = httpx.URL(f"https://x.test/v1/{quote(SECRET, safe='')}/calls", params={"q": SECRET})
    shown = redact_url(url.copy_with(fragment=SECRET), [SECRET])
    assert not leaks(shown, SECRET)
    assert shown.startswith("https://x.test/v1/***/calls?q=***")


def test_empty_secret_is_ignored() -> None:
    assert redact_url("https://x.test/a?b=c", [""]) == "https://x.test/a?b=c"


def test_unparseable_url_leaks_nothing() -> None:
    assert redact_url(f"http://[{SECRET}") == "<unparseable URL>"


def test_text_masks_secrets_and_credential_patterns() -> None:
    body = (
        f'{{"echo": "{SECRET}", "headers": {{"Authorization": "Bearer abc.DEF-123"}},'
        ' "basic": "Basic QUM6aHVudGVyMg==", "api_key": "zzz", "url": "https://u:pw@h/x"}'
    )
    shown = redact_text(body, [SECRET])
    assert not leaks(shown, SECRET)
    for fragment in ("abc.DEF-123", "QUM6aHVudGVyMg==", "zzz", "u:pw"):
        assert fragment not in shown
    assert "Bearer ***" in shown


def test_text_is_truncated_with_a_count() -> None:
    assert redact_text("x" * 510, limit=500) == "x" * 500 + "…(10 more chars)"
    assert redact_text("short") == "short"


def test_truncation_happens_after_redaction() -> None:
    shown = redact_text("a" * 495 + SECRET, [SECRET], limit=500)
    assert shown == "a" * 495 + "***"


secrets = st.text(alphabet=string.ascii_letters + string.digits + "-_.~+/=", min_size=8)
noise = st.text(alphabet=string.printable, max_size=40)


@given(secret=secrets, before=noise, after=noise)
def test_redact_url_never_leaks_a_random_secret(secret: str, before: str, after: str) -> None:
    url = httpx.URL(
        f"https://user:{quote(secret, safe='')}@api.test/v1/{quote(secret, safe='')}/x",
        params={"q": before + secret + after, "other": secret},
    )
    assert not leaks(redact_url(url, [secret]), secret)


@given(secret=secrets, before=noise, after=noise, limit=st.integers(min_value=0, max_value=80))
def test_redact_text_never_leaks_a_random_secret(
    secret: str, before: str, after: str, limit: int
) -> None:
    text = f"{before}{secret}{after} Bearer {secret} {quote(secret, safe='')}"
    assert not leaks(redact_text(text, [secret], limit=limit), secret)


printable_secrets = st.text(alphabet=[chr(c) for c in range(33, 127)], min_size=8, max_size=40)


@given(
    secret=printable_secrets,
    prefix=st.binary(max_size=7),
    suffix=st.binary(max_size=7),
    urlsafe=st.booleans(),
)
def test_base64_of_a_secret_is_masked_at_any_alignment(
    secret: str, prefix: bytes, suffix: bytes, urlsafe: bool
) -> None:
    encode = base64.urlsafe_b64encode if urlsafe else base64.b64encode
    text = "x " + encode(prefix + secret.encode() + suffix).decode() + " y"
    shown = Redactor([secret]).text(text, limit=10_000)
    # The characters made of the secret's bytes alone, whatever the alignment:
    start = len(prefix)
    core = encode(b"\0" * (start % 3) + secret.encode()).decode()[
        4 : 4 * ((start % 3 + len(secret)) // 3)
    ]
    assert len(core) < 4 or core not in shown


@given(secret=printable_secrets, before=noise, after=noise)
def test_json_escaped_and_percent_encoded_secrets_are_masked(
    secret: str, before: str, after: str
) -> None:
    text = before + json.dumps({"k": secret}) + quote(secret, safe="") + after
    shown = Redactor([secret]).mask(text)
    assert json.dumps(secret)[1:-1] not in shown and quote(secret, safe="") not in shown


def _escaped(secret: str, which: list[bool], short: bool) -> str:
    """`secret` as a JSON string body with the chosen characters escaped: a quote, backslash
    or slash by its short escape when `short`, anything else as \\u."""
    out = []
    for char, escape in zip(secret, which, strict=False):
        if not escape:
            out.append(json.dumps(char)[1:-1])
        elif short and char in '"\\/':
            out.append("\\" + char)
        else:
            out.append(f"\\u{ord(char):04x}")
    return "".join(out)


@given(
    secret=printable_secrets,
    which=st.lists(st.booleans(), min_size=40, max_size=40),
    short=st.booleans(),
)
def test_a_secret_spelled_with_json_escapes_is_masked_in_the_parsed_body(
    secret: str, which: list[bool], short: bool
) -> None:
    text = '{"data": [{"note": "' + _escaped(secret, which + [False] * len(secret), short) + '"}]}'
    red = Redactor([secret])
    masked = red.json_text(text)
    parsed = red.parsed(json.loads(masked), masked)
    assert secret.lower() not in json.dumps(parsed, ensure_ascii=False).lower()


def test_an_escape_no_secret_could_use_leaves_the_parsed_body_unwalked() -> None:
    # The key has no quote in it: an escaped quote in a record cannot hide it.
    text = '{"data": [{"spam_category": "<script>alert(\\"x\\")</script>"}]}'
    value = json.loads(text)
    assert Redactor(["sim-telnyx-key"]).parsed(value, text) is value
    assert Redactor(['a"quoted"key']).parsed(value, text) is not value
