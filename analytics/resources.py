"""Where the SQL and templates live, installed or in a checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parent


def _find(name: str) -> Path:
    for candidate in (_PACKAGE / "_resources" / name, _CHECKOUT / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"callrep is installed without its {name}/ folder")


def queries_dir() -> Path:
    """The folder of SQL files (``queries/`` in a checkout, shipped inside the wheel)."""
    return _find("queries")


def reports_dir() -> Path:
    """The folder of Jinja templates (``reports/`` in a checkout, shipped inside the wheel)."""
    return _find("reports")
