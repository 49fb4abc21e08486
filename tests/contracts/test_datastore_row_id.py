"""The datastore contract for ``_id`` (the row number) and NULLs placed first or last."""

from __future__ import annotations

from typing import Any

import pytest

from datasets.datastore import BadQuery, Datastore, DatastoreQuery
from tests.contracts.test_datastore import EXPECTED, RID, env, loaded  # noqa: F401 (fixtures)


def _walk(store: Datastore, query: DatastoreQuery) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    cursor = None
    for _ in range(50):
        page = store.search(RID, DatastoreQuery(**{**query.__dict__, "cursor": cursor}))
        seen.extend(page.records)
        cursor = page.next_cursor
        if cursor is None:
            return seen
    raise AssertionError("the pages did not end")


def test_the_row_number_is_answered_filtered_and_sorted_on(loaded: Datastore) -> None:  # noqa: F811
    first = loaded.search(RID, DatastoreQuery(with_id=True, limit=2))
    assert [f.name for f in first.fields][:2] == ["_id", "ma"]
    ids = [r["_id"] for r in first.records]
    assert all(isinstance(i, int) for i in ids) and ids == sorted(ids)
    picked = loaded.search(RID, DatastoreQuery(filters={"_id": [str(ids[1])]}))
    assert [r["ma"] for r in picked.records] == [first.records[1]["ma"]]
    assert "_id" not in picked.records[0]  # answered only when asked
    newest = loaded.search(RID, DatastoreQuery(sort=[("_id", True)], fields=["_id", "ma"]))
    assert [r["ma"] for r in newest.records] == [r["ma"] for r in reversed(EXPECTED)][:100]
    walked = _walk(loaded, DatastoreQuery(sort=[("_id", True)], limit=7))
    assert [r["ma"] for r in walked] == [r["ma"] for r in reversed(EXPECTED)]


@pytest.mark.parametrize(("desc", "where"), [(False, "last"), (True, "first")])
def test_nulls_placed_first_or_last_page_through_every_row_once(
    loaded: Datastore,  # noqa: F811
    desc: bool,
    where: str,
) -> None:
    query = DatastoreQuery(sort=[("gia_tri", desc)], nulls={"gia_tri": where}, limit=7)
    walked = _walk(loaded, query)
    values = [r for r in EXPECTED if r["gia_tri"] is not None]
    values.sort(key=lambda r: (r["gia_tri"], r["ma"]), reverse=desc)  # ties: row order
    nulls = [r for r in EXPECTED if r["gia_tri"] is None]
    nulls.sort(key=lambda r: r["ma"], reverse=desc)
    assert nulls, "the contract data has NULLs"
    assert walked == (values + nulls if where == "last" else nulls + values)


def test_nulls_must_name_a_sort_column(loaded: Datastore) -> None:  # noqa: F811
    with pytest.raises(BadQuery):
        loaded.search(RID, DatastoreQuery(nulls={"gia_tri": "last"}))
    with pytest.raises(BadQuery):
        loaded.search(RID, DatastoreQuery(sort=[("gia_tri", False)], nulls={"gia_tri": "middle"}))
