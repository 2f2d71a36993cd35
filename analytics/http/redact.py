"""Keep secrets out of URLs and text before they reach an exception, a log line or a repr.

Redaction is deliberately greedy: masking a little too much in an error message is cheap,
leaking an API key is not.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, quote_plus, unquote, unquote_plus, urlsplit, urlunsplit

import httpx

MASK = "***"

_SECRET_PARAM = re.compile(
    r"key|token|secret|passw|pwd|auth|signature|^sig$|credential|session", re.IGNORECASE
)
_CREDENTIALS = re.compile(r"\b(Bearer|Basic|Token)\s+[\w.~+/=-]+", re.IGNORECASE)
_SECRET_FIELD = re.compile(
    r"""(\b[\w-]*(?:api[_-]?key|token|secret|password)["']?\s*[:=]\s*["']?)([^"'\s&,;}]+)""",
    re.IGNORECASE,
)
_USERINFO = re.compile(r"//[^/\s@]+@")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# The short JSON escape of each character that has one (the rest need \u).
_SHORT_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "/": "\\/",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
}
_MIN_ENCODED = 8  # secrets shorter than this are masked raw and percent-encoded only


class Redactor:
    """Masks every known form of a set of secrets; build once, use on every body and message.

    Forms: raw; percent-encoded (any hex case); JSON-escaped (also with ``\\/``); and
    base64 (standard and URL-safe), whole and as it reads at each of the three alignments
    inside a longer encoded text, so ``Basic base64(auth_id:auth_token)`` is masked too.
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.secrets = tuple(s for s in secrets if s)
        forms = {form for s in self.secrets for form in secret_forms(s)}
        ordered = sorted(forms, key=len, reverse=True)
        self._lowered = _shortest_cover({f.lower() for f in forms})
        # The JSON escapes that could spell part of a form: \u (any character) and the short
        # escape of each character the forms hold (a quote, a slash, ...).
        short = {_SHORT_ESCAPES[c] for f in forms for c in f if c in _SHORT_ESCAPES}
        self._escapes = ("\\u", *sorted(short))
        self._pattern = (
            re.compile("|".join(re.escape(f) for f in ordered), re.IGNORECASE) if forms else None
        )

    def mask(self, text: str) -> str:
        """`text` with every form of every secret replaced by MASK."""
        if self._pattern is None:
            return text
        lowered = text.lower()  # a substring test per form is far cheaper than the regex
        if not any(form in lowered for form in self._lowered):
            return text
        return self._pattern.sub(MASK, text)

    def text(self, text: str, limit: int = 500) -> str:
        """Mask secrets, credential patterns and URL userinfo in `text`, then truncate it."""
        text = self.mask(text)
        text = _CREDENTIALS.sub(lambda m: f"{m.group(1)} {MASK}", text)
        text = _SECRET_FIELD.sub(lambda m: m.group(1) + MASK, text)
        text = _USERINFO.sub(f"//{MASK}@", text)
        if len(text) <= limit:
            return text
        return f"{text[:limit]}…({len(text) - limit} more chars)"

    def json_text(self, text: str) -> str:
        """A response body with every secret form masked (JSON stays JSON: MASK needs no escape)."""
        return self.mask(text)

    def parsed(self, value: Any, text: str) -> Any:
        """`value`, parsed from `text`, with secrets masked in every string an escape could hide.

        Only walked when `text` holds an escape that could spell part of a secret (any
        ``\\u``, or e.g. ``\\/`` when a secret has a slash): otherwise the text masking saw
        every string. An escaped quote in a record no longer costs a walk of the whole page
        (20x the parse).
        """
        if self._pattern is None or "\\" not in text:  # one memchr: most pages hold no escape
            return value
        if not any(e in text for e in self._escapes):
            return value
        return self._walk(value)

    def _walk(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.mask(value)
        if isinstance(value, list):
            return [self._walk(v) for v in value]
        if isinstance(value, dict):
            return {self.mask(k): self._walk(v) for k, v in value.items()}
        return value


def _shortest_cover(forms: set[str]) -> tuple[str, ...]:
    """The forms that hold no other form: a text holds some form exactly when it holds one
    of these, so the cheap test before the regex searches fewer (4 of 6 for a typical key)."""
    return tuple(f for f in forms if not any(g != f and g in f for g in forms))


def secret_forms(secret: str) -> set[str]:
    """Every spelling of `secret` that a server or a log could carry."""
    forms = {secret, quote(secret), quote(secret, safe=""), quote_plus(secret)}
    escaped = json.dumps(secret)[1:-1]
    forms |= {escaped, escaped.replace("/", "\\/"), json.dumps(secret, ensure_ascii=False)[1:-1]}
    if len(secret) >= _MIN_ENCODED:
        raw = secret.encode("utf-8", errors="surrogatepass")
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            forms.add(encode(raw).decode())
            forms.add(encode(raw).decode().rstrip("="))
            for shift in range(3):
                forms.add(_aligned(encode, raw, shift))
    return {f for f in forms if f}


def _aligned(encode: Any, raw: bytes, shift: int) -> str:
    """The base64 characters fixed by `raw` alone when it starts `shift` bytes into a text."""
    encoded = encode(b"\0" * shift + raw + b"\0\0").decode()
    first = -(-8 * shift // 6)  # ceil: the first character made only of raw's bits
    last = (8 * (shift + len(raw)) - 6) // 6  # the last such character
    return encoded[first : last + 1]


def one_line(text: str) -> str:
    """`text` with control characters and line separators escaped, so it prints as one line."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def redact_url(url: str | httpx.URL, secrets: Iterable[str] = ()) -> str:
    """Return `url` without userinfo, with secret-looking query values and every secret masked.

    A secret is masked in its raw and its percent-encoded forms; a path segment, query value
    or fragment that still contains a secret once decoded is masked whole.
    """
    secrets = tuple(s for s in secrets if s)
    text = Redactor(secrets).mask(str(url))
    try:
        parts = urlsplit(text)
    except ValueError:
        return "<unparseable URL>"
    netloc = parts.netloc.rpartition("@")[2]
    path = "/".join(_scrub(segment, secrets) for segment in parts.path.split("/"))
    query = "&".join(_redact_pair(pair, secrets) for pair in parts.query.split("&"))
    fragment = _scrub(parts.fragment, secrets)
    return urlunsplit((parts.scheme, netloc, path, query, fragment))


def redact_text(text: str, secrets: Iterable[str] = (), limit: int = 500) -> str:
    """Mask secrets, credential patterns and URL userinfo in `text`, then truncate to `limit`."""
    return Redactor(secrets).text(text, limit)


def _scrub(part: str, secrets: tuple[str, ...]) -> str:
    """Mask `part` whole when it still holds a secret once percent-decoded."""
    decoded = f"{unquote(part)}\n{unquote_plus(part)}".lower()
    return MASK if any(s.lower() in decoded for s in secrets) else part


def _redact_pair(pair: str, secrets: tuple[str, ...]) -> str:
    """Redact one `name=value` query item; secret-looking names get their value masked."""
    name, sep, value = pair.partition("=")
    if value and _SECRET_PARAM.search(unquote_plus(name)):
        value = MASK
    return f"{_scrub(name, secrets)}{sep}{_scrub(value, secrets)}"
