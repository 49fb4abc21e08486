"""The source's policy is applied once, and it is the one that counts.

A harvested table is stripped by the source's policy before it is stored; processing then
sees the stripped table. It must publish those values as they are: not hash a hashed ID
again (the hash would join with nothing an upload publishes), not mask a phone number the
source kept with a justification, not apply the organization's defaults over the source's
rules. Served by a CKAN-shaped server on 127.0.0.1; checked on the public file.
"""

from __future__ import annotations

from datasets.personal import hash_value
from tests.harvesters.conftest import csv_route, package, register, search_page
from tests.servers import ReplayServer

SEARCH = "/api/action/package_search"
HOTLINE = "02838291054"
TABLE = (
    "so_cccd,email,so_dien_thoai,phuong,so_ho\n"
    f"079203001234,binh.nguyen@gmail.com,{HOTLINE},Bến Nghé,4\n"
    f"079185004321,mai.tran@yahoo.com,{HOTLINE},Đa Kao,3\n"
)
KEEP_WHY = "Đường dây nóng của phường, đã công khai"
POLICY = {
    "citizen_id": "hash",
    "email": "hash",  # the built-in default would mask
    "phone": {"action": "keep", "justification": KEEP_WHY},  # the default would mask
}


def _public_rows(svc) -> tuple[list[list[str]], dict]:
    view = next(iter(svc.catalog.iter_all()))
    resource = view.resources[0]
    path = svc.public_store.local_path(resource.sha256)
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.split(",") for line in lines], resource


def test_source_policy_is_applied_once_and_wins_over_the_defaults(hservices, org):
    with ReplayServer({}) as server:
        url = f"{server.url}/files/ho.csv"
        server.routes[SEARCH] = search_page([package(1, url)])
        server.routes["/files/ho.csv"] = csv_route(TABLE)
        register(hservices, "ckan-mot-lan", "ckan", server.url, org, {"policy": POLICY})
        report = hservices.harvester.run("ckan-mot-lan")
    assert [(i.outcome.value, i.held) for i in report.items] == [("created", False)], (
        report.to_dict()
    )
    rows, _resource = _public_rows(hservices)
    key = hservices.keys.hash_key
    assert rows[0] == ["so_cccd", "email", "so_dien_thoai", "phuong", "so_ho"]
    # The same HMAC an upload's "hash" decision writes: joins across datasets still work.
    assert [r[0] for r in rows[1:]] == [
        hash_value("079203001234", "citizen_id", key),
        hash_value("079185004321", "citizen_id", key),
    ]
    assert [r[1] for r in rows[1:]] == [
        hash_value("binh.nguyen@gmail.com", "email", key),
        hash_value("mai.tran@yahoo.com", "email", key),
    ]
    assert [r[2] for r in rows[1:]] == [HOTLINE, HOTLINE]  # kept, as the source said
    assert [r[3] for r in rows[1:]] == ["Bến Nghé", "Đa Kao"]
    with hservices.sessions() as session:
        from sqlalchemy import select

        from datasets.model import ResourceVersion

        version = session.scalars(select(ResourceVersion)).one()
        decisions = {d["column"]: d for d in version.decisions}
    assert decisions["so_dien_thoai"]["action"] == "keep"
    assert decisions["so_dien_thoai"]["justification"] == KEEP_WHY
    assert decisions["so_cccd"]["justification"] == (
        "hash applied before storage by the policy of harvest source ckan-mot-lan"
    )
