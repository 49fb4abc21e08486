"""File sources: a single CSV at a URL, and a folder described by a sidecar."""

from __future__ import annotations

import json

from tests.harvesters.conftest import register
from tests.servers import Recorded, ReplayServer

TABLE = "ten_cho,quan,so_quay\nChợ Bến Thành,Quận 1,1500\nChợ Bình Tây,Quận 6,2300\n"


def test_single_csv_url_uses_etag_as_stamp(hservices, org):
    csv = Recorded(200, TABLE.encode(), {"Content-Type": "text/csv", "ETag": '"v1"'})
    with ReplayServer({"/cho.csv": csv}) as server:
        register(hservices, "tep-cho", "file", f"{server.url}/cho.csv", org)
        first = hservices.harvester.run("tep-cho")
        again = hservices.harvester.run("tep-cho")
        gets = [r for r in server.requests if r == "/cho.csv"]
    assert first.counts()["created"] == 1 and again.counts()["unchanged"] == 1
    view = next(iter(hservices.catalog.iter_all()))
    assert view.title == "cho" and view.resources[0].row_count == 2
    assert len(gets) == 3  # HEAD + GET, then only HEAD: same ETag, nothing downloaded


def test_sidecar_folder_with_approval_field(hservices, org):
    sidecar = {
        "datasets": [
            {
                "file": "cho.csv",
                "title": "Danh sách chợ",
                "tags": ["chợ"],
                "approved": "yes",
                "modified": "2026-03-01",
                "description": "Các chợ truyền thống.",
            },
            {"file": "nhap.csv", "title": "Bản nháp", "approved": "no"},
        ]
    }
    with ReplayServer(
        {
            "/kho/metadata.json": ReplayServer.json(sidecar),
            "/kho/cho.csv": Recorded(200, TABLE.encode(), {"Content-Type": "text/csv"}),
        }
    ) as server:
        config = {"approval_extra": "approved=yes"}
        register(hservices, "kho-tep", "file", f"{server.url}/kho/metadata.json", org, config)
        report = hservices.harvester.run("kho-tep")
        assert "/kho/nhap.csv" not in server.requests
    assert [(i.remote_id.rsplit("/", 1)[-1], i.outcome.value) for i in report.items] == [
        ("cho.csv", "created")
    ]
    view = next(iter(hservices.catalog.iter_all()))
    assert (view.title, view.tags, view.description) == (
        "Danh sách chợ",
        ("chợ",),
        "Các chợ truyền thống.",
    )
    assert json.loads(json.dumps(report.to_dict()))["counts"]["created"] == 1
