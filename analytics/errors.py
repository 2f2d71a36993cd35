"""Every error callrep raises on purpose.

    CallrepError                 base; the CLI prints str(err) on one line, no traceback
    ├── ConfigError              a missing or malformed setting (exit status 2)
    ├── InputError               a bad file or argument from the user (exit status 2)
    ├── MailError                the mailed report could not be sent (exit status 2)
    ├── StoreError               the DuckDB store cannot be used as asked
    │   ├── WriterLockedError    another callrep process is writing the same file
    │   ├── FileHeldError        another program (a reader) has the database file open
    │   ├── StorePathError       the database's folder or lock path cannot be used (exit 2)
    │   └── SchemaError          the file was written by a newer callrep, or is not ours (exit 2)
    └── ApiError                 a provider call failed after retries
        ├── HttpStatusError      a non-success HTTP status (status, redacted URL, truncated body)
        │   ├── AuthError        401 or 403: the credentials are wrong or lack access
        │   └── NotFoundError    404
        ├── TransportFailure     connect errors and timeouts that outlived the retries
        └── LimitExceeded        a run reached one of its caps (pages, records, bytes, time)

Messages never contain secrets: HTTP errors carry URLs and bodies that went through
``analytics.http.redact`` first.
"""

from __future__ import annotations


class CallrepError(Exception):
    """Base class: an expected failure with a one-line, user-facing message."""

    exit_code = 1


class ConfigError(CallrepError):
    """A setting is missing or malformed; the message names it."""

    exit_code = 2


class InputError(CallrepError):
    """A file or argument given by the user cannot be used; the message names it."""

    exit_code = 2


class MailError(CallrepError):
    """The mailed report could not be sent; the message names the server, never a secret."""

    exit_code = 2


class StoreError(CallrepError):
    """The DuckDB store cannot be used as asked."""


class WriterLockedError(StoreError):
    """Another callrep process holds the writer lock on the same database file."""


class FileHeldError(StoreError):
    """Another program (such as a notebook) holds DuckDB's lock on the database file."""


class StorePathError(StoreError):
    """The database path cannot be used: a missing folder, or a lock path that is not a file."""

    exit_code = 2


class SchemaError(StoreError):
    """The database schema is newer than this callrep, or the file is not a callrep store."""

    exit_code = 2


class ApiError(CallrepError):
    """A provider request failed for good (after any retries)."""


class HttpStatusError(ApiError):
    """The provider answered with a non-success status."""

    def __init__(self, status: int, method: str, url: str, body: str) -> None:
        self.status = status
        self.method = method
        self.url = url
        self.body = body
        detail = f": {body}" if body else ""
        super().__init__(f"HTTP {status} {self.hint()}for {method} {url}{detail}")

    def hint(self) -> str:
        """A short human explanation for well-known statuses, with a trailing space."""
        return {
            401: "(the API key or credentials are wrong) ",
            403: "(the credentials lack access to this resource) ",
            404: "(not found) ",
            429: "(rate limited) ",
        }.get(self.status, "")


class AuthError(HttpStatusError):
    """401 or 403."""


class NotFoundError(HttpStatusError):
    """404."""


class TransportFailure(ApiError):
    """The request never got an HTTP answer (connect error, timeout, dropped connection)."""


class LimitExceeded(ApiError):
    """A run reached a cap from ``ProviderLimits``; the message names the setting to raise."""
