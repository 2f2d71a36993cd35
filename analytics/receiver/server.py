"""Running the receiver under uvicorn: one process, graceful stop on SIGTERM.

uvicorn stops accepting on SIGTERM (or SIGINT), lets in-flight requests finish (up to
:data:`DRAIN_SECONDS`), then the app's lifespan writes what is queued and closes the
current segment, so the next ``callrep collect`` ingests it. uvicorn's own access log is
off (it would print the secret path token); the app logs one line per request instead.
Proxy headers are read only when the app is told to trust them, never by uvicorn.
"""

from __future__ import annotations

import logging
from pathlib import Path

import uvicorn

from analytics.receiver.app import ReceiverConfig, create_app
from analytics.receiver.segments import MAX_SEGMENT_BYTES, MAX_SEGMENT_SECONDS, SegmentWriter

DRAIN_SECONDS = 10


def serve(
    config: ReceiverConfig,
    spool: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8088,
    segment_bytes: int = MAX_SEGMENT_BYTES,
    segment_seconds: float = MAX_SEGMENT_SECONDS,
) -> None:
    """Serve until SIGTERM/SIGINT, spooling accepted callbacks into ``spool``."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    for chatty in ("httpx", "httpcore"):  # their INFO lines hold whole URLs, query included
        logging.getLogger(chatty).setLevel(logging.WARNING)
    writer = SegmentWriter(spool, segment_bytes, segment_seconds)
    quarantine = SegmentWriter(spool / "quarantine", segment_bytes, segment_seconds)
    writer.claim()  # a busy or unusable spool is a one-line error before listening
    quarantine.claim()
    app = create_app(config, writer, quarantine)
    uvicorn.run(
        app,
        host=host,
        port=port,
        access_log=False,
        proxy_headers=False,
        server_header=False,
        timeout_graceful_shutdown=DRAIN_SECONDS,
        log_level="info",
        limit_concurrency=1024,
    )
