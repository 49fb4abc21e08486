"""Fetches run in threads ahead of the import: one bad dataset fails alone, order holds.

A CKAN-shaped source on 127.0.0.1 lists twelve datasets; some of their files are missing,
broken or refused. Every good dataset must land, each bad one must be reported with its
own reason, the report must follow the listing, and no fetched file may stay behind.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from datasets.model import Dataset
from harvesters.base import RemoteRecord, RemoteRef
from harvesters.errors import BadResponse
from harvesters.fetching import Prefetcher
from tests.harvesters.conftest import csv_route, package, register, search_page
from tests.servers import Recorded, ReplayServer

SEARCH = "/api/action/package_search"
BAD = {3: "missing", 7: "broken", 10: "garbage"}


def _table(n: int) -> str:
    return f"ma,ten_tram,so_cho\nT{n},Trạm {n},{n * 10}\n"


def test_a_bad_dataset_fails_alone_among_concurrent_fetches(hservices, org):
    with ReplayServer({}) as server:
        packages = [package(n, f"{server.url}/files/{n}.csv") for n in range(1, 13)]
        server.routes[SEARCH] = search_page(packages)
        for n in range(1, 13):
            if n not in BAD:
                server.routes[f"/files/{n}.csv"] = csv_route(_table(n))
        # 3: not served (404); 7: a server error every time; 10: not a table at all.
        server.routes["/files/7.csv"] = Recorded(500, b"<html>oops</html>")
        server.routes["/files/10.csv"] = Recorded(200, b"\x89PNG\r\n\x1a\n" + bytes(200), {})
        register(hservices, "ckan-many", "ckan", server.url, org)
        report = hservices.harvester.run("ckan-many")

    assert [i.remote_id for i in report.items] == [p["id"] for p in packages]  # listing order
    outcomes = {int(i.remote_id[-2:]): (i.outcome.value, i.reason) for i in report.items}
    assert outcomes[3] == ("failed", "http_404")
    assert outcomes[7] == ("failed", "http_500")
    assert outcomes[10] == ("failed", "not_a_table")
    good = {n for n in range(1, 13) if n not in BAD}
    assert {n for n, (outcome, _) in outcomes.items() if outcome == "created"} == good
    with hservices.sessions() as session:
        landed = {
            d.harvest_remote_id: d.state
            for d in session.scalars(select(Dataset).where(Dataset.state == "published"))
        }
    assert {int(r[-2:]) for r in landed} == good
    scratch = hservices.settings.data_dir / "tmp" / "harvest"
    assert list(scratch.iterdir()) == []  # every fetched file was removed


class _Listing:
    """A source whose fetch writes one file and records the thread it ran in."""

    type = "file"

    def __init__(self, concurrent: bool) -> None:
        self.concurrent_fetch = concurrent
        self.threads: set[str] = set()

    def fetch(self, ref: RemoteRef, scratch: Path) -> RemoteRecord:
        self.threads.add(threading.current_thread().name)
        if ref.remote_id == "bad":
            raise BadResponse("refused", code="refused")
        (scratch / "data.csv").write_text("a\n1\n")
        return RemoteRecord(remote_id=ref.remote_id, stamp="", title=ref.remote_id)


def _refs(*ids: str) -> list[RemoteRef]:
    return [RemoteRef(remote_id=i, stamp="") for i in ids]


def test_prefetcher_keeps_order_reports_errors_and_removes_untaken_files(tmp_path):
    source = _Listing(concurrent=True)
    refs = _refs("a", "bad", "c", "d", "e")
    fetches = Prefetcher(
        source, refs, lambda ref, scratch: (source.fetch(ref, scratch), 1), tmp_path
    )
    first = fetches.take(refs[0])
    assert first.record is not None and first.record.remote_id == "a"
    assert (first.scratch / "data.csv").read_text() == "a\n1\n"
    bad = fetches.take(refs[1])
    assert bad.record is None and bad.error is not None and bad.error.code == "refused"
    fetches.close()  # c, d and e were fetched ahead and never taken
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted([first.scratch.name, bad.scratch.name])
    assert source.threads and all(t.startswith("harvest-fetch") for t in source.threads)


def test_a_source_not_marked_concurrent_is_fetched_in_the_jobs_thread(tmp_path):
    source = _Listing(concurrent=False)
    refs = _refs("a", "b")
    fetches = Prefetcher(
        source, refs, lambda ref, scratch: (source.fetch(ref, scratch), 1), tmp_path
    )
    records = [fetches.take(ref).record for ref in refs]
    assert [r.remote_id for r in records if r is not None] == ["a", "b"]
    fetches.close()
    assert source.threads == {threading.current_thread().name}


def test_a_fetch_that_breaks_raises_where_taken_and_leaves_no_files(tmp_path):
    def broken(ref: RemoteRef, scratch: Path) -> tuple[RemoteRecord, int]:
        (scratch / "part.csv").write_text("a\n")
        raise RuntimeError("a defect in the source code")

    fetches = Prefetcher(_Listing(concurrent=True), _refs("a", "b"), broken, tmp_path)
    with pytest.raises(RuntimeError, match="a defect in the source code"):
        fetches.take(RemoteRef(remote_id="a", stamp=""))
    fetches.close()
    assert list(tmp_path.iterdir()) == []
