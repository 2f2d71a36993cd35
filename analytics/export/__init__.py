"""Exports: documented marts written to CSV, Parquet or JSON (:mod:`analytics.export.marts`)."""
