"""The public marts as data (:func:`marts`) and as ``docs/marts.md`` (:func:`render`).

The documentation is generated from the model headers, so it cannot drift from the SQL;
``tests/test_models_docs.py`` checks that the file is current and that each mart's documented
columns are exactly its real columns. Regenerate with ``python -m analytics.models.docs``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from analytics.models.discovery import Model, discover
from analytics.store.files import write_atomic

DOC_PATH = Path(__file__).resolve().parents[2] / "docs" / "marts.md"


@dataclass(frozen=True)
class Mart:
    """One documented public mart."""

    name: str
    purpose: str
    grain: str
    key: tuple[str, ...]
    materialized: str
    columns: tuple[tuple[str, str], ...]
    since_column: str | None = None  # the column `callrep export --since` filters on


def marts(models: list[Model] | None = None) -> list[Mart]:
    """Every mart in ``queries/marts``, sorted by name."""
    found = models if models is not None else discover()
    return sorted(
        (
            Mart(m.name, m.purpose, m.grain, m.key, m.materialized, m.columns, m.since_column)
            for m in found
            if m.is_mart
        ),
        key=lambda m: m.name,
    )


def render(models: list[Model] | None = None) -> str:
    """``docs/marts.md``: one section per mart with its columns."""
    out = [
        "# Marts",
        "",
        "The public data contract: reports, notebooks and `callrep export` read these relations.",
        "Generated from the header comments in `queries/marts/*.sql` by",
        "`python -m analytics.models.docs`; do not edit by hand (a test keeps it current).",
        "",
        "Conventions for every mart: days are UTC dates of `collected_at`; only successful runs",
        'count and each day uses its latest run; days without a run are gaps; "now" is the',
        "collection time of the latest snapshot, never the wall clock; a `spam_risk` outside",
        "low/medium/high, or null, is `unknown`. Prices come from the `callrep_settings` table",
        "(`[pricing]` in `callrep.toml`).",
        "",
        "Freshness rule: every Telnyx observation carries its `collected_at` and the data's",
        "`last_refreshed_at`; an observation tells what happened after an event (a remediation",
        "request's completion, say) only if its data was refreshed after the event. A snapshot",
        "collected after the event but refreshed before it still shows the state before it.",
        "",
    ]
    found = marts(models)
    out.append("| mart | grain |")
    out.append("|---|---|")
    out.extend(f"| [`{m.name}`](#{m.name}) | {m.grain} |" for m in found)
    for m in found:
        out += [
            "",
            f"## {m.name}",
            "",
            m.purpose,
            "",
            f"- grain: {m.grain}",
            f"- key: {', '.join(f'`{k}`' for k in m.key)}",
            f"- materialized: {m.materialized}",
            *([f"- `export --since` filters on: `{m.since_column}`"] if m.since_column else []),
            "",
            "| column | meaning |",
            "|---|---|",
        ]
        out.extend(f"| `{name}` | {meaning.replace('|', '/')} |" for name, meaning in m.columns)
    return "\n".join(out) + "\n"


def write(path: Path = DOC_PATH) -> Path:
    """Regenerate the docs file (written atomically)."""
    write_atomic(path, render())
    return path


if __name__ == "__main__":
    print(f"wrote {write()}")
