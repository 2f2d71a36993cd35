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


def project_root() -> Path:
    """The checkout callrep runs from (with ``notebooks/``), else the current folder."""
    return _CHECKOUT if (_CHECKOUT / "pyproject.toml").is_file() else Path.cwd().resolve()


def demo_database() -> Path:
    """Where ``callrep demo`` run in the project root puts its database: an absolute path,
    so a notebook finds it whatever folder Jupyter starts it in."""
    return project_root() / "callrep-demo" / "callrep.duckdb"
