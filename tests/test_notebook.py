"""The exploration notebook executes against the shared synthetic database and has no outputs."""

from __future__ import annotations

import nbformat
from nbclient import NotebookClient

from analytics.resources import queries_dir
from tests.test_report_fixtures import report_db

NOTEBOOK = queries_dir().parent / "notebooks" / "explore.ipynb"


def test_committed_without_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


def test_notebook_executes(monkeypatch):
    monkeypatch.setenv("CALLREP_DB", str(report_db()))
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors == []
