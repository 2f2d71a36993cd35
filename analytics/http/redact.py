"""Keep secrets out of URLs and text before they reach an exception, a log line or a repr.

Redaction is deliberately greedy: masking a little too much in an error message is cheap,
leaking an API key is not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
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


def redact_url(url: str | httpx.URL, secrets: Iterable[str] = ()) -> str:
    """Return `url` without userinfo, with secret-looking query values and every secret masked.

    A secret is masked in its raw and its percent-encoded forms; a path segment, query value
    or fragment that still contains a secret once decoded is masked whole.
    """
    secrets = tuple(s for s in secrets if s)
    text = _mask(str(url), secrets)
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
    text = _mask(text, tuple(s for s in secrets if s))
    text = _CREDENTIALS.sub(lambda m: f"{m.group(1)} {MASK}", text)
    text = _SECRET_FIELD.sub(lambda m: m.group(1) + MASK, text)
    text = _USERINFO.sub(f"//{MASK}@", text)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}…({len(text) - limit} more chars)"


def _mask(text: str, secrets: tuple[str, ...]) -> str:
    """Replace each secret, raw or percent-encoded (any hex case), with MASK."""
    forms = {form for s in secrets for form in (s, quote(s), quote(s, safe=""), quote_plus(s))}
    if not forms:
        return text
    pattern = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
    return re.sub(pattern, MASK, text, flags=re.IGNORECASE)


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
