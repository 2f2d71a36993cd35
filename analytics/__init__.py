"""callrep: caller-ID reputation analytics for Telnyx and Plivo, stored in DuckDB."""

__version__ = "0.1.0"
