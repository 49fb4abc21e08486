"""A rebuild's segments (``whoosh_bulk``) hold what Whoosh's ``add_document`` writes."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index

from search_index import FACET_FIELDS, SearchDocument, SearchQuery, SortOrder, WhooshIndex
from search_index.whoosh_bulk import build
from search_index.whoosh_fields import INDEX_NAME, build_schema, document_fields
from tests.search_index.conftest import relevance_documents


def _documents() -> list[SearchDocument]:
    """The relevance corpus three times over, with repeated words and empty fields."""
    base = relevance_documents()
    docs = []
    for copy in range(3):
        for doc in base:
            docs.append(dataclasses.replace(doc, id=f"{doc.id}-{copy}", name=f"{doc.name}-{copy}"))
    docs[5] = dataclasses.replace(
        docs[5], description_vi="giao thông giao thông, xe buýt xe buýt xe", tags=()
    )
    docs[9] = dataclasses.replace(docs[9], description_vi="", title_en="", themes=())
    return docs


def _plain(folder: Path, docs: list[SearchDocument]) -> Any:
    """The index Whoosh's own writer makes of ``docs``."""
    folder.mkdir()
    index = whoosh_index.create_in(folder, build_schema(), INDEX_NAME)
    writer = index.writer()
    for doc in docs:
        writer.add_document(**document_fields(doc))
    writer.commit()
    return index


def _bulk(folder: Path, docs: list[SearchDocument], segment_docs: int) -> Any:
    folder.mkdir()
    whoosh_index.create_in(folder, build_schema(), INDEX_NAME).close()
    assert build(folder, docs, segment_docs) == len(docs)
    return whoosh_index.open_dir(folder, INDEX_NAME)


def _postings(reader: Any, term_stats: bool) -> dict[Any, Any]:
    out: dict[Any, Any] = {}
    for field, term in reader.all_terms():
        items = list(reader.postings(field, term).all_items())
        out[field, term] = (items, reader.doc_frequency(field, term))
        if term_stats:  # block statistics Whoosh ranks with (one segment: one term info)
            info = reader.term_info(field, term)
            out[field, term, "info"] = (
                info.weight(),
                info.min_length(),
                info.max_length(),
                info.max_weight(),
                info.min_id(),
                info.max_id(),
            )
    return out


def _per_document(reader: Any, count: int) -> tuple[Any, ...]:
    schema = build_schema()
    stored = [reader.stored_fields(d) for d in range(count)]
    columns = {
        name: list(reader.column_reader(name, translate=True))
        for name in schema.names()
        if schema[name].column_type
    }
    lengths = {
        name: ([reader.doc_field_length(d, name) for d in range(count)], reader.field_length(name))
        for name in schema.names()
        if schema[name].scorable
    }
    return stored, columns, lengths


def test_one_bulk_segment_equals_the_plain_writer(tmp_path: Path) -> None:
    docs = _documents()
    plain = _plain(tmp_path / "plain", docs).reader()
    bulk = _bulk(tmp_path / "bulk", docs, segment_docs=10_000).reader()
    assert len(bulk.leaf_readers()) == 1
    expected = _postings(plain, term_stats=True)
    assert ("desc_f", b"giao") in expected  # the corpus reaches the compared fields
    assert _postings(bulk, term_stats=True) == expected
    assert _per_document(bulk, len(docs)) == _per_document(plain, len(docs))


def test_segments_written_by_worker_processes_hold_the_same(tmp_path: Path) -> None:
    docs = _documents()
    plain = _plain(tmp_path / "plain", docs).reader()
    bulk = _bulk(tmp_path / "bulk", docs, segment_docs=40).reader()
    assert len(bulk.leaf_readers()) == -(-len(docs) // 40) > 2  # the process pool ran
    assert _postings(bulk, term_stats=False) == _postings(plain, term_stats=False)
    assert _per_document(bulk, len(docs)) == _per_document(plain, len(docs))


def test_rebuild_in_many_segments_answers_as_in_one(tmp_path: Path) -> None:
    docs = _documents()
    one = WhooshIndex(tmp_path / "one")
    many = WhooshIndex(tmp_path / "many")
    many.segment_docs = 25
    assert one.replace_all(docs) == many.replace_all(docs) == len(docs)
    for text in ("giao thông", "xe buyt", "dat dai", "bản đồ", ""):
        query = SearchQuery(text=text, limit=50, facets=FACET_FIELDS)
        found, expected = many.search(query), one.search(query)
        assert found == expected
        assert text == "" or expected.total > 0
    many.upsert([dataclasses.replace(docs[0], title_vi="Bản đồ zyxwbulk")])
    assert [hit.id for hit in many.search(SearchQuery(text="zyxwbulk")).hits] == [docs[0].id]
    one.close()
    many.close()


def test_commits_reuse_open_segments_and_see_their_deletions(tmp_path: Path) -> None:
    docs = _documents()
    index = WhooshIndex(tmp_path / "index")
    index.replace_all(docs)
    target = docs[4]
    before = index.search(SearchQuery(text=target.title_vi, limit=100)).hits
    assert target.id in [hit.id for hit in before]
    opened = dict(index._segments._open)  # the rebuild's one segment, opened by that search
    assert len(opened) == 1
    for number in range(12):  # each commit deletes in the big segment and adds a small one
        index.upsert([dataclasses.replace(target, title_vi=f"Bản đồ qwzx{number}")])
        hits = index.search(SearchQuery(text=f"qwzx{number}")).hits
        assert [hit.id for hit in hits] == [target.id]
        assert index.search(SearchQuery(text=f"qwzx{number - 1}")).total == 0
    after = [hit.id for hit in index.search(SearchQuery(text=target.title_vi, limit=100)).hits]
    assert target.id not in after  # the old version, deleted in the shared segment, is gone
    segid, (reader, _) = next(iter(opened.items()))
    assert index._segments._open[segid][0] is reader  # never reopened by the commits
    live = {s.segment_id() for s in index._index._read_toc().segments}
    assert set(index._segments._open) == live  # segments merged away were closed
    index.close()
    assert index._segments._open == {}


def test_sorted_pages_over_many_segments_equal_one_segment(tmp_path: Path) -> None:
    # Over 4,096 hits, pages are taken by walking the merged per-segment orders.
    base = relevance_documents()
    docs = [
        dataclasses.replace(
            base[number % len(base)],
            id=f"doc-{number:05d}",
            name=f"doc-{number:05d}",
            popularity=number * 7919 % 13,
            modified=base[0].modified + timedelta(hours=number * 37 % 1000),
        )
        for number in range(4600)
    ]
    one, many = WhooshIndex(tmp_path / "one"), WhooshIndex(tmp_path / "many")
    one.segment_docs, many.segment_docs = 10_000, 1_200
    one.replace_all(docs)
    many.replace_all(docs)
    for index in (one, many):  # commits add small segments and delete in the big ones
        index.upsert([dataclasses.replace(docs[n], popularity=50) for n in (3, 2500, 4599)])
    for sort in SortOrder:
        for offset in (0, 40, 4500):
            query = SearchQuery(text="", sort=sort, offset=offset, limit=30, facets=())
            expected = one.search(query)
            assert expected.total == len(docs)
            assert many.search(query) == expected, (sort, offset)
    one.close()
    many.close()


def _posting_bytes(reader: Any) -> dict[tuple[str, bytes], bytes]:
    """Each term's posting list as written: its blocks' headers, statistics and data."""
    out = {}
    for field, term in reader.all_terms():
        info = reader.term_info(field, term)
        (length,) = info._length  # Whoosh reads the stored length back as a 1-tuple
        out[field, term] = reader._terms._postfile.get(info._offset, length)
    return out


def test_posting_lists_of_many_blocks_are_written_byte_for_byte(tmp_path: Path) -> None:
    # Common words span several 128-posting blocks; some documents repeat them (weights
    # above 1 in some blocks only) and lengths vary, so every block statistic is exercised.
    base = relevance_documents()
    docs = []
    for number in range(420):
        doc = base[number % len(base)]
        extra = " giao thông" * (number % 5) if number % 7 == 0 else ""
        docs.append(
            dataclasses.replace(
                doc,
                id=f"doc-{number:04d}",
                name=f"doc-{number:04d}",
                description_vi=f"{doc.description_vi} giao thông{extra}",
            )
        )
    plain = _plain(tmp_path / "plain", docs).reader()
    bulk = _bulk(tmp_path / "bulk", docs, segment_docs=10_000).reader()
    expected = _posting_bytes(plain)
    assert plain.doc_frequency("desc_f", "giao") > 3 * 128  # several blocks
    assert max(w for _, w in plain.postings("desc_f", "giao").items_as("weight")) > 1
    assert _posting_bytes(bulk) == expected
    assert _postings(bulk, term_stats=True) == _postings(plain, term_stats=True)


def test_facets_and_columns_kept_across_commits_follow_each_commit(tmp_path: Path) -> None:
    # Big segments' facet merges and sort columns are kept from one generation to the next;
    # after each commit (deletions in them, a new small segment, merges of small ones) the
    # answers equal those of an instance opened afresh on the same index (nothing kept).
    base = relevance_documents()
    docs = [
        dataclasses.replace(
            base[number % len(base)],
            id=f"doc-{number:05d}",
            name=f"doc-{number:05d}",
            popularity=number % 17,
        )
        for number in range(2600)
    ]
    index = WhooshIndex(tmp_path / "index")
    index.segment_docs = 1_200  # segments above the size whose merges are kept
    index.replace_all(docs)
    queries = [
        SearchQuery(text="", sort=SortOrder.POPULARITY, limit=30, facets=FACET_FIELDS),
        SearchQuery(text="giao thông", limit=30, facets=FACET_FIELDS),
    ]
    for query in queries:
        index.search(query)  # the big segments' merges are kept from here on
    for number, target in enumerate(docs[n] for n in (5, 1300, 2599, 5, 7, 1300, 8, 9, 5, 10)):
        changed = dataclasses.replace(
            target, organization=f"org-moi-{number}", res_formats=("ODS",), popularity=99 + number
        )
        index.upsert([changed])
        fresh = WhooshIndex(tmp_path / "index")
        for query in queries:
            assert index.search(query) == fresh.search(query), (number, query.text)
        fresh.close()
        page = index.search(queries[0])
        assert dict(page.facets["organization"])[f"org-moi-{number}"] == 1
        assert page.hits[0].id == changed.id  # the most popular now
    index.close()
