"""The shared HTTP layer: a read-only JSON client with retries, rate limits and redaction.

ApiClient.get_json    GET with bounded concurrency, a shared rate limiter and retries; each
                      body streamed under a size cap and a deadline, secrets masked
fetch_all             every page of a listing, via a Page*/Offset* paginator strategy
ProviderLimits        pacing and the run's caps (limits.py), counted by RunBudget (budget.py)
redact_url/_text      what every message, log line and repr goes through first
"""

from analytics.http.client import ApiClient, RequestStats
from analytics.http.limits import ProviderLimits
from analytics.http.paginate import OffsetPaginator, Page, PageNumberPaginator, fetch_all
from analytics.http.ratelimit import RateLimiter
from analytics.http.redact import redact_text, redact_url
from analytics.http.retry import RetryPolicy, backoff_delay, server_wait

__all__ = [
    "ApiClient",
    "OffsetPaginator",
    "Page",
    "PageNumberPaginator",
    "ProviderLimits",
    "RateLimiter",
    "RequestStats",
    "RetryPolicy",
    "backoff_delay",
    "fetch_all",
    "redact_text",
    "redact_url",
    "server_wait",
]
