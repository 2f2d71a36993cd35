"""Where orchestration and terminal output may live: checked on the imports themselves.

The report renders and never writes (no writer lock, no build: ``analytics.orchestration`` does
that before rendering); the library reports progress through ``analytics.progress`` and never
imports rich or the CLI.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "analytics"


def _imports(path: Path) -> set[str]:
    """Every module and ``module.name`` a file imports."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _files(*packages: str) -> list[Path]:
    return [p for package in packages for p in sorted((PACKAGE / package).rglob("*.py"))]


@pytest.mark.parametrize("path", _files("report"), ids=lambda p: p.name)
def test_the_report_never_takes_the_writer_lock_or_builds(path: Path) -> None:
    forbidden = {
        "analytics.store.database.writer",
        "analytics.store.lock",
        "analytics.models.build",
        "analytics.models.runner",
        "analytics.orchestration",
    }
    assert not {name for name in _imports(path) if name in forbidden or "orchestration" in name}


@pytest.mark.parametrize(
    "path",
    [
        *_files(
            "collectors",
            "models",
            "simulator",
            "store",
            "report",
            "orchestration",
            "progress",
            "export",
        )
    ],
    ids=lambda p: f"{p.parent.name}/{p.name}",
)
def test_the_library_never_imports_rich_or_the_cli(path: Path) -> None:
    imported = _imports(path)
    assert not {n for n in imported if n == "rich" or n.startswith(("rich.", "analytics.cli"))}


TOP_LEVEL = {"__init__", "__main__", "config", "errors", "resources"}


def test_the_top_level_holds_only_config_errors_resources_and_packages() -> None:
    modules = {p.stem for p in PACKAGE.glob("*.py")}
    assert modules <= TOP_LEVEL, (
        f"orchestration belongs in analytics/orchestration/: {modules - TOP_LEVEL}"
    )
