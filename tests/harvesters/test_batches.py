"""Harvest imports in batches (``harvesters.batch_import``): one transaction for many datasets.

- The batch path stores exactly what importing one dataset at a time stores.
- A dataset that fails in the middle of a batch (after its rows were written) is rolled
  back alone and reported; the rest of its batch is imported, published, indexed and
  audited, and the next run imports the failed one.
- A crash in the middle of a batch leaves nothing of it: the datasets it was updating keep
  their published state, no harvest object moved, and the job is recovered.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import select

from datasets.model import Dataset, Resource
from harvesters import HarvestObject
from publishers.model import AuditEntry
from search_index import SearchQuery
from tests.factories import make_org
from tests.harvesters.conftest import csv_route, package, register, search_page
from tests.harvesters.test_pool import POLICY, _items, _outcome, _routes
from tests.servers import ReplayServer

SEARCH = "/api/action/package_search"
TABLE = "ma,ten_tram,so_cho\nT1,Trạm A,10\nT2,Trạm B,20\n"


def _serve(server: ReplayServer, count: int, **fields: Any) -> None:
    url = f"{server.url}/files/t.csv"
    server.routes[SEARCH] = search_page([package(n, url, **fields) for n in range(1, count + 1)])
    server.routes["/files/t.csv"] = csv_route(TABLE)


def _by_remote(svc: Any) -> dict[str, Any]:
    with svc.sessions() as session:
        return {
            d.harvest_remote_id[-1]: (d.state, d.working_revision_id, d.live_revision_id)
            for d in session.scalars(select(Dataset)).all()
        }


def _fail_on(monkeypatch: Any, svc: Any, title: str, error: BaseException) -> None:
    """Make processing raise ``error`` for the upload of the dataset titled ``title``
    (after the dataset, its revision and the upload's rows were written in the batch)."""
    processor = svc.harvester._deps.batches._processor
    real = processor.process_in

    def process_in(session: Any, version: Any, **kwargs: Any) -> None:
        resource = session.get(Resource, version.resource_id)
        dataset = session.get(Dataset, resource.dataset_id)
        if dataset.working_revision.title_vi == title:
            raise error
        real(session, version, **kwargs)

    monkeypatch.setattr(processor, "process_in", process_in)


def test_batches_store_exactly_what_one_at_a_time_stores(hservices, org):
    other = make_org(hservices, "so-tung-bo")
    deps = hservices.harvester._deps
    with ReplayServer({}) as server:
        server.routes.update(_routes(server.url))
        register(hservices, "single", "ckan", server.url, other, POLICY)
        register(hservices, "batched", "ckan", server.url, org, POLICY)
        hservices.harvester._deps = replace(deps, batches=None, workers=0)
        single = hservices.harvester.run("single")
        hservices.harvester._deps = replace(deps, batch_size=3, workers=0)
        batched = hservices.harvester.run("batched")
    assert _items(batched) == _items(single)
    assert [i.remote_id for i in batched.items] == [i.remote_id for i in single.items]
    # The decisions' justifications name the source: everything else must be the same.
    assert _named(hservices, org.id, "batched") == _named(hservices, other.id, "single")
    assert len(hservices.processor.prepared) == 0


def test_a_dataset_failing_mid_batch_fails_alone(hservices, org, monkeypatch):
    deps = hservices.harvester._deps
    hservices.harvester._deps = replace(deps, batch_size=10)
    _fail_on(monkeypatch, hservices, "Bộ dữ liệu 3", RuntimeError("a defect while processing"))
    with ReplayServer({}) as server:
        _serve(server, 5)
        register(hservices, "giua-lo", "ckan", server.url, org)
        report = hservices.harvester.run("giua-lo")
        outcomes = {i.remote_id[-1]: (i.outcome.value, i.reason) for i in report.items}
        assert outcomes == {
            "1": ("created", ""),
            "2": ("created", ""),
            "3": ("failed", "internal_error"),
            "4": ("created", ""),
            "5": ("created", ""),
        }
        stored = _by_remote(hservices)
        assert sorted(stored) == ["1", "2", "4", "5"]  # nothing of the failed one is left
        assert {state for state, _w, _l in stored.values()} == {"published"}
        with hservices.sessions() as session:
            objects = session.scalars(select(HarvestObject.remote_id)).all()
            assert sorted(r[-1] for r in objects) == ["1", "2", "4", "5"]
            approvals = session.scalars(
                select(AuditEntry.target).where(AuditEntry.action == "dataset.approve")
            ).all()
            assert sorted(approvals) == [f"dataset:bo-du-lieu-{n}" for n in (1, 2, 4, 5)]
        hits = hservices.search.search(SearchQuery(text="bộ dữ liệu")).hits
        assert sorted(h.name for h in hits) == [f"bo-du-lieu-{n}" for n in (1, 2, 4, 5)]

        monkeypatch.undo()  # processing works again
        again = hservices.harvester.run("giua-lo")
        counts = again.counts()
        assert (counts["created"], counts["unchanged"], counts["failed"]) == (1, 4, 0)
        assert sorted(_by_remote(hservices)) == ["1", "2", "3", "4", "5"]


def _named(svc: Any, organization_id: str, source: str) -> str:
    stored = sorted(_outcome(svc, organization_id).items())  # PostgreSQL returns any order
    return repr(stored).replace(f"harvest source {source}", "SOURCE")


class Crash(BaseException):
    """Stands for the process dying: no ``except Exception`` catches it."""


def test_a_crash_mid_batch_leaves_nothing_of_it_and_the_job_is_recovered(
    hservices, org, monkeypatch
):
    deps = hservices.harvester._deps
    with ReplayServer({}) as server:
        _serve(server, 4)
        register(hservices, "sap-nguon", "ckan", server.url, org)
        assert hservices.harvester.run("sap-nguon").counts()["created"] == 4
        before = _by_remote(hservices)
        with hservices.sessions() as session:
            stamps = set(session.scalars(select(HarvestObject.stamp)).all())
        _serve(server, 4, modified="2026-03-03T00:00:00", notes="Mô tả mới.")
        hservices.harvester._deps = replace(deps, batch_size=10)
        # The file did not change (no processing): it crashes at the submission instead.
        workflow = hservices.harvester._deps.batches._workflow
        real = workflow.submit_in

        def submit_in(session: Any, actor: Any, dataset: Any) -> None:
            if dataset.working_revision.title_vi == "Bộ dữ liệu 3":
                raise Crash
            real(session, actor, dataset)

        monkeypatch.setattr(workflow, "submit_in", submit_in)
        with pytest.raises(Crash):
            hservices.harvester.run("sap-nguon")
        # Datasets 1 and 2 were updated in the same transaction: none of it was committed.
        assert _by_remote(hservices) == before
        assert {state for state, working, _l in before.values()} == {"published"}
        assert all(working is None for _s, working, _l in before.values())
        with hservices.sessions() as session:
            assert set(session.scalars(select(HarvestObject.stamp)).all()) == stamps
        descriptions = {v.description for v in hservices.catalog.iter_all()}
        assert "Mô tả mới." not in descriptions
        crashed = hservices.harvester.jobs("sap-nguon")[0]
        assert crashed.status == "running"  # what a dead process leaves

        monkeypatch.undo()
        report = hservices.harvester.run("sap-nguon")
        assert report.counts()["updated"] == 4, report.to_dict()
        assert hservices.harvester.job(crashed.id).status == "failed"
        assert hservices.harvester.job(crashed.id).error == "interrupted"
        assert {v.description for v in hservices.catalog.iter_all()} == {"Mô tả mới."}


def test_a_large_record_is_imported_on_its_own_in_listing_order(hservices, org, monkeypatch):
    """A batch processes files under the database's write lock: a record with large files
    goes alone (after the records before it), outside that lock."""
    import harvesters.batching as batching

    big = "ma,ghi_chu\n" + "".join(f"{n},{'x' * 60}\n" for n in range(400))
    monkeypatch.setattr(batching, "LARGE_RECORD_BYTES", len(TABLE.encode()) + 100)
    batched: list[list[str]] = []
    importer = hservices.harvester._deps.batches
    real = importer.run

    def run(entries: Any) -> Any:
        batched.append([e.stripped.record.remote_id[-1] for e in entries])
        return real(entries)

    monkeypatch.setattr(importer, "run", run)
    with ReplayServer({}) as server:
        small, large = f"{server.url}/files/t.csv", f"{server.url}/files/big.csv"
        server.routes[SEARCH] = search_page(
            [package(n, large if n == 3 else small) for n in range(1, 6)]
        )
        server.routes["/files/t.csv"] = csv_route(TABLE)
        server.routes["/files/big.csv"] = csv_route(big)
        register(hservices, "lon", "ckan", server.url, org)
        report = hservices.harvester.run("lon")
    assert [(i.remote_id[-1], i.outcome.value) for i in report.items] == [
        (str(n), "created") for n in range(1, 6)
    ]
    assert batched == [["1", "2"], ["4", "5"]]  # 3 went alone, between them
    views = {v.title: v for v in hservices.catalog.iter_all()}
    assert views["Bộ dữ liệu 3"].resources[0].row_count == 400
