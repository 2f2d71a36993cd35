"""The exploration notebook executes against the shared synthetic database and has no outputs."""

from __future__ import annotations

import nbformat
import pytest
from nbclient import NotebookClient

from analytics.export.marts import documented_marts
from analytics.resources import demo_database, project_root, queries_dir
from tests.test_report_fixtures import report_db

NOTEBOOK = queries_dir().parent / "notebooks" / "explore.ipynb"


def test_committed_without_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> nbformat.NotebookNode:
    """The notebook run as Jupyter runs it: the kernel's working folder is notebooks/."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("CALLREP_DB", str(report_db()))
        nb = nbformat.read(NOTEBOOK, as_version=4)
        # one extra cell reads back what the notebook listed
        nb.cells.append(nbformat.v4.new_code_cell("print('\\n'.join(marts['mart']))"))
        client = NotebookClient(
            nb,
            timeout=120,
            kernel_name="python3",
            resources={"metadata": {"path": str(NOTEBOOK.parent)}},
        )
        client.execute()
    return nb


def test_notebook_executes_from_its_own_folder(executed: nbformat.NotebookNode):
    errors = [o for c in executed.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors == []


def test_notebook_lists_only_the_public_marts(executed: nbformat.NotebookNode):
    [printed] = executed.cells[-1].outputs
    assert printed.text.split() == [m.name for m in documented_marts()]


def test_default_database_is_absolute_in_the_project_root():
    assert demo_database().is_absolute()
    assert demo_database() == project_root() / "callrep-demo" / "callrep.duckdb"
    assert (project_root() / "notebooks" / "explore.ipynb").is_file()
