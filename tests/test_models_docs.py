"""docs/marts.md is generated from the model headers and matches the real columns."""

from __future__ import annotations

import pytest

from analytics.models import marts
from analytics.models.docs import DOC_PATH, render


def test_docs_file_is_current():
    assert DOC_PATH.read_text(encoding="utf-8") == render(), (
        "docs/marts.md is stale: run `python -m analytics.models.docs`"
    )


def test_every_mart_documents_purpose_grain_key_and_columns():
    for mart in marts():
        assert mart.purpose and mart.grain and mart.key and mart.columns, mart.name
        assert set(mart.key) <= {name for name, _ in mart.columns}, mart.name


@pytest.fixture(scope="module")
def built_columns(tmp_path_factory):
    """Column names of every mart after a build on an empty store."""
    import duckdb

    from analytics.config import Pricing
    from analytics.models import build
    from analytics.store.schema import migrate

    con = duckdb.connect(str(tmp_path_factory.mktemp("docs") / "docs.duckdb"))
    migrate(con)
    build(con, Pricing())
    found = {}
    for mart in marts():
        found[mart.name] = [
            d[0] for d in con.execute(f"select * from {mart.name} limit 0").description
        ]
    con.close()
    return found


@pytest.mark.parametrize("mart", marts(), ids=lambda m: m.name)
def test_documented_columns_equal_real_columns(mart, built_columns):
    assert [name for name, _ in mart.columns] == built_columns[mart.name]
