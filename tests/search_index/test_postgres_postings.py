"""PostgreSQL search: the same answers as Whoosh, writes seen by every server's next search,
and compact bitmaps (document numbers reused after deletion)."""

from __future__ import annotations

import dataclasses
import os
import threading
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest

from search_index import (
    PostgresIndex,
    SearchDocument,
    SearchPage,
    SearchQuery,
    SortOrder,
    WhooshIndex,
)
from tests.search_index.conftest import relevance_documents

pytestmark = pytest.mark.postgres


def _url() -> str:
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        pytest.skip("PostgreSQL search tests need TEST_DATABASE_URL")
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}schema=test_postings_{uuid.uuid4().hex[:12]}"


@pytest.fixture
def pg_url() -> Iterator[str]:
    url = _url()
    yield url
    cleanup = PostgresIndex.from_url(url)
    cleanup.drop()
    cleanup.close()


@pytest.fixture
def pg(pg_url: str) -> Iterator[PostgresIndex]:
    index = PostgresIndex.from_url(pg_url)
    yield index
    index.close()


def answer(page: SearchPage) -> tuple[Any, ...]:
    return page.total, page.facets, [(h.id, h.score, h.highlights) for h in page.hits]


def corpus_queries(docs: list[SearchDocument]) -> list[SearchQuery]:
    """1–3 word windows of every title, typed with and without accents, in several shapes."""
    from search_index import vn_fold

    texts: list[str] = []
    # Titles, and tags and publishers (their phrases rank too).
    sources = [doc.title_vi for doc in docs]
    sources += sorted({doc.organization_title for doc in docs} | {t for d in docs for t in d.tags})
    for source in sources:
        words = source.replace(":", "").replace("-", " ").split()
        for size in (1, 2, 3):
            for start in range(0, max(1, len(words) - size + 1), 2):
                window = " ".join(words[start : start + size])
                texts += [window, vn_fold(window)]
    queries = [SearchQuery(text=t, limit=5, highlight=True) for t in dict.fromkeys(texts)]
    queries += [
        SearchQuery(text="du lieu", sort=SortOrder.TITLE, offset=1, limit=3),
        SearchQuery(text="", sort=SortOrder.POPULARITY, limit=10),
        SearchQuery(text="", sort=SortOrder.ID, offset=5, limit=10, facet_limit=2),
        SearchQuery(text="thanh pho", filters={"theme": ("giao-thong",)}),
        SearchQuery(text="", exclude={"res_format": ("CSV",)}, sort=SortOrder.MODIFIED),
        SearchQuery(modified_from=datetime(2024, 1, 10), modified_to=datetime(2024, 1, 20)),
        SearchQuery(text="xe buyyt"),  # a suggestion
    ]
    return queries


def test_same_answers_as_whoosh(pg: PostgresIndex, tmp_path: Path) -> None:
    docs = relevance_documents()
    whoosh = WhooshIndex(tmp_path / "index")
    try:
        whoosh.replace_all(docs)
        pg.replace_all(docs)
        queries = corpus_queries(docs)
        assert len(queries) > 150
        for query in queries:
            ours, theirs = pg.search(query), whoosh.search(query)
            assert answer(ours) == answer(theirs), query
            assert ours.suggestion == theirs.suggestion, query
    finally:
        whoosh.close()


def test_every_server_sees_a_write_at_its_next_search(pg_url: str, pg: PostgresIndex) -> None:
    docs = relevance_documents()
    pg.replace_all(docs)
    other = PostgresIndex.from_url(pg_url)  # a second server with its own cache
    try:
        before = other.search(SearchQuery(text="xe buyt"))
        assert before.total == 2
        moved = dataclasses.replace(docs[2], organization="so-moi", tags=("xe buýt", "mới"))
        pg.upsert([moved])
        after = other.search(SearchQuery(text="xe buyt"))
        assert after.total == 2
        assert ("so-moi", 1) in after.facets["organization"]
        assert ("mới", 1) in after.facets["tags"]
        assert ("so-gtvt", 1) in after.facets["organization"]
        pg.delete([docs[3].id])
        assert [h.id for h in other.search(SearchQuery(text="xe buyt")).hits] == [docs[2].id]
        pg.replace_all(docs[:5])
        assert other.search(SearchQuery()).total == 5
        assert other.count() == 5
    finally:
        other.close()


def test_a_renamed_organization_ranks_by_its_new_title_only(
    pg: PostgresIndex, tmp_path: Path
) -> None:
    docs = relevance_documents()
    whoosh = WhooshIndex(tmp_path / "index")
    try:
        for index in (pg, whoosh):
            index.replace_all(docs)
        bus = next(d for d in docs if d.name == "tuyen-xe-buyt")
        query = SearchQuery(text="giao thong", limit=50, facets=())

        def bus_score(index: PostgresIndex | WhooshIndex) -> float:
            return next(h.score for h in index.search(query).hits if h.id == bus.id)

        before = bus_score(pg)
        renamed = dataclasses.replace(bus, organization_title="Sở Xây dựng")
        for index in (pg, whoosh):
            index.upsert([renamed])
        # The old publisher's "giao thông" no longer ranks it (its theme still does).
        assert bus_score(pg) < before
        assert answer(pg.search(query)) == answer(whoosh.search(query))
    finally:
        whoosh.close()


def _stored(url: str, schema: str, statement: str) -> Any:
    base = url.split("?")[0]
    with psycopg.connect(base, autocommit=True) as conn:
        row = conn.execute(statement.format(s=f'"{schema}"')).fetchone()
        return row[0] if row else None


def test_document_numbers_are_reused_and_bitmaps_stay_compact(
    pg_url: str, pg: PostgresIndex
) -> None:
    docs = relevance_documents()[:16]
    pg.replace_all(docs)
    for _ in range(3):  # a harvest updating every dataset, again and again
        pg.upsert([dataclasses.replace(d, popularity=d.popularity + 1) for d in docs])
    pg.delete([d.id for d in docs[:8]])
    fresh = [dataclasses.replace(d, id=f"new-{i}", name=f"new-{i}") for i, d in enumerate(docs[:8])]
    pg.upsert(fresh)
    assert pg.count() == 16
    assert _stored(pg_url, pg.schema, "SELECT max(docnum) FROM {s}.documents") == 15
    widest = _stored(pg_url, pg.schema, "SELECT max(length(bits)) FROM {s}.postings")
    assert widest == 2  # 16 documents: two bytes
    # An updated title no longer matches its old words, and a gone document no postings.
    renamed = dataclasses.replace(fresh[0], title_vi="Bản đồ hành chính", title_en="")
    pg.upsert([renamed])
    assert [h.id for h in pg.search(SearchQuery(text="ban do hanh chinh")).hits] == ["new-0"]
    assert "new-0" not in [h.id for h in pg.search(SearchQuery(text=fresh[0].title_vi)).hits]
    pg.delete(["new-0"])
    assert pg.search(SearchQuery(text="ban do")).total == 0
    assert pg.search(SearchQuery(text="", facets=("organization",))).total == 15


def test_a_repeated_id_in_one_batch_keeps_the_last(pg: PostgresIndex) -> None:
    doc = relevance_documents()[0]
    pg.upsert([doc, dataclasses.replace(doc, title_vi="Dữ liệu mới nhất")])
    assert pg.count() == 1
    assert [h.title for h in pg.search(SearchQuery(text="moi nhat")).hits] == ["Dữ liệu mới nhất"]


def test_concurrent_writers_on_two_servers_lose_nothing(pg_url: str, pg: PostgresIndex) -> None:
    docs = relevance_documents()
    other = PostgresIndex.from_url(pg_url)
    try:
        halves = [(pg, docs[0::2]), (other, docs[1::2])]
        threads = [
            threading.Thread(target=lambda i=i, d=d: [i.upsert([doc]) for doc in d])
            for i, d in halves
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for index in (pg, other):
            page = index.search(SearchQuery(limit=100, sort=SortOrder.ID))
            assert [h.id for h in page.hits] == sorted(d.id for d in docs)
        assert _stored(pg_url, pg.schema, "SELECT max(docnum) FROM {s}.documents") == len(docs) - 1
    finally:
        other.close()
