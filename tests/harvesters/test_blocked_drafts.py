"""A harvested dataset whose submission is blocked keeps one draft across runs.

The draft stays for a steward to look at; the next run takes the same remote dataset into
that draft again instead of creating another one (``-2``, ``-3``...), and once the source
fixes its file the draft is the dataset that gets published. Both import paths: the batch
and one record at a time.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import select

from datasets.model import Dataset, DatasetState
from tests.harvesters.conftest import csv_route, package, register, search_page
from tests.servers import ReplayServer

SEARCH = "/api/action/package_search"
INVALID = "ma,ma\nA,1\nB,2\n"  # a repeated column name: invalid, blocks submission
FIXED = "ma,so_luong\nA,1\nB,2\n"
REMOTE = "00000000-0000-0000-0000-000000000001"


def _datasets(svc: Any) -> list[tuple[str, str]]:
    with svc.sessions() as session:
        rows = session.scalars(select(Dataset).where(Dataset.harvest_remote_id == REMOTE)).all()
        return sorted((d.name, d.state) for d in rows)


@pytest.mark.parametrize("batched", [True, False], ids=["batch", "alone"])
def test_a_blocked_record_keeps_one_draft_until_the_source_fixes_it(
    hservices: Any, org: Any, batched: bool
) -> None:
    harvester = hservices.harvester
    if not batched:
        harvester._deps = replace(harvester._deps, batches=None)
    with ReplayServer({}) as server:
        url = f"{server.url}/files/bang.csv"
        server.routes[SEARCH] = search_page([package(1, url, modified="2026-01-01T00:00:00")])
        server.routes["/files/bang.csv"] = csv_route(INVALID)
        register(hservices, "nguon", "ckan", server.url, org)
        for _ in range(3):
            report = harvester.run("nguon")
            assert len(report.items) == 1, report.items
            (item,) = report.items
            assert (item.outcome.value, item.reason) == ("failed", "submission_blocked")
        ((name, state),) = _datasets(hservices)
        assert state == DatasetState.DRAFT

        server.routes[SEARCH] = search_page([package(1, url, modified="2026-02-01T00:00:00")])
        server.routes["/files/bang.csv"] = csv_route(FIXED)
        report = harvester.run("nguon")
        (item,) = report.items
        assert item.outcome.value in ("created", "updated") and item.dataset == name, item
    assert _datasets(hservices) == [(name, DatasetState.PUBLISHED)]
