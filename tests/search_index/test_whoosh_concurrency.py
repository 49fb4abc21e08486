"""Several processes share one Whoosh index: one writer at a time, readers see new documents."""

from __future__ import annotations

import multiprocessing
import time
from datetime import UTC, datetime
from pathlib import Path

from search_index import SearchDocument, SearchQuery, WhooshIndex


def _document(doc_id: str, title: str) -> SearchDocument:
    moment = datetime(2024, 1, 1, tzinfo=UTC)
    return SearchDocument(
        id=doc_id,
        name=doc_id,
        title_vi=title,
        title_en="",
        description_vi="",
        description_en="",
        organization="so-y-te",
        organization_title="Sở Y tế",
        tags=(),
        themes=(),
        res_formats=("CSV",),
        license_id="cc-by-4.0",
        created=moment,
        modified=moment,
    )


def _write_one(path: str, done: multiprocessing.Queue[float]) -> None:
    index = WhooshIndex(Path(path))
    index.upsert([_document("new-doc", "Bệnh viện dã chiến")])
    done.put(time.monotonic())
    index.close()


def _write_many(path: str, prefix: str, count: int) -> None:
    index = WhooshIndex(Path(path))
    for number in range(count):
        index.upsert([_document(f"{prefix}-{number}", f"Trạm {prefix} {number}")])
    index.close()


def test_reader_sees_a_document_written_by_another_process(tmp_path: Path) -> None:
    reader = WhooshIndex(tmp_path)
    reader.upsert([_document("old-doc", "Bệnh viện quận")])
    assert reader.search(SearchQuery(text="benh vien")).total == 1
    context = multiprocessing.get_context("spawn")
    done: multiprocessing.Queue[float] = context.Queue()
    writer = context.Process(target=_write_one, args=(str(tmp_path), done))
    writer.start()
    committed = done.get(timeout=60)
    seen = None
    while time.monotonic() - committed < 1.0:
        page = reader.search(SearchQuery(text="benh vien da chien"))
        if page.total == 1:
            seen = page.hits[0].id
            break
        time.sleep(0.02)
    writer.join(timeout=60)
    assert writer.exitcode == 0
    assert seen == "new-doc"
    reader.close()


def test_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    WhooshIndex(tmp_path).close()
    context = multiprocessing.get_context("spawn")
    writers = [
        context.Process(target=_write_many, args=(str(tmp_path), prefix, 15))
        for prefix in ("a", "b", "c")
    ]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(timeout=120)
        assert writer.exitcode == 0
    index = WhooshIndex(tmp_path)
    assert index.count() == 45
    assert index.search(SearchQuery(text="tram b")).total == 15
    index.close()
