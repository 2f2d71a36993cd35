"""The Plivo status-callback receiver behind ``callrep callbacks serve``.

Modules: :mod:`.signature` (Plivo's V3 request signature), :mod:`.segments` (the
append-and-fsync spool segments the receiver writes and ``collect`` ingests), :mod:`.app`
(the Starlette application), :mod:`.server` (running it under uvicorn). Nothing here opens
DuckDB: the collector holds the writer lock for minutes, so the receiver only appends to
files, and ``callrep collect`` lands the closed segments.
"""
