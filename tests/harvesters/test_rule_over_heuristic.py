"""An operator's rule for a kind wins over the scan's "organisation contact list" heuristic.

The table below looks like a list of offices (an office-name column, addresses, landlines),
which the scan reads as an organisation's public details and proposes to keep. The source's
policy says ``"phone": "drop"``: both phone columns must be gone from the public file, for
every kind of harvest source and for an upload under the organization's stored policy. A
person's mobile in an office table gets no "keep" proposal at all. Checked on the public file.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3

import pytest
from sqlalchemy import select

from datasets.model import ResourceVersion
from datasets.personal import PROPOSED_KEEP
from publishers import Role
from tests.factories import actor, make_dataset, make_user, upload_bytes
from tests.harvesters.conftest import csv_route, package, register, search_page
from tests.servers import Recorded, ReplayServer

HEADER = ["ten_don_vi", "dia_chi", "dien_thoai", "duong_day_nong", "ma_so_thue"]
ROWS = [
    ["UBND Phường Bến Nghé", "12 Lê Lợi, Phường Bến Nghé, Quận 1", "028 3822 1234",
     "02838291054", "0314409058"],
    ["UBND Phường Đa Kao", "58 Đinh Tiên Hoàng, Phường Đa Kao, Quận 1", "028 3910 5678",
     "0912 345 678", "0100233488"],
    ["UBND Phường Tân Định", "2 Trần Quang Khải, Phường Tân Định, Quận 1", "(028) 38480011",
     "02838480012", "0100112437"],
    ["Công an Phường 7", "41 Hai Bà Trưng, Phường 7, Quận 3", "028.3930.4455",
     "02839304456", "0312687878"],
]  # fmt: skip
PHONES = {"028 3822 1234", "02838291054", "0912 345 678", "028 3910 5678", "(028) 38480011"}
POLICY = {"phone": "drop"}


def _table_text() -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(ROWS)
    return out.getvalue()


def _public(svc) -> tuple[list[dict[str, str]], dict[str, dict]]:
    with svc.sessions() as session:
        (version,) = session.scalars(select(ResourceVersion)).all()
        decisions = {d["column"]: d for d in version.decisions or []}
        key = version.public_sha256
    assert key, "no public file"
    text = svc.public_store.local_path(key).read_text(encoding="utf-8-sig")
    return list(csv.DictReader(io.StringIO(text))), decisions


def _assert_phones_dropped(svc) -> None:
    rows, decisions = _public(svc)
    assert rows and "dien_thoai" not in rows[0] and "duong_day_nong" not in rows[0]
    published = "\n".join(",".join(r.values()) for r in rows)
    assert not [p for p in PHONES if p in published]
    # What the rule did not cover is still public: the heuristic's proposal fills the gap.
    assert [r["ma_so_thue"] for r in rows] == [r[4] for r in ROWS]
    assert [r["ten_don_vi"] for r in rows] == [r[0] for r in ROWS]
    assert decisions["ma_so_thue"]["action"] == "keep"


def _run(svc, name: str) -> None:
    report = svc.harvester.run(name)
    assert [(i.outcome.value, i.held) for i in report.items] == [("created", False)], (
        report.to_dict()
    )


def test_ckan_source_rule_drops_office_phone_columns(hservices, org):
    with ReplayServer({}) as server:
        url = f"{server.url}/files/co-quan.csv"
        server.routes["/api/action/package_search"] = search_page([package(1, url)])
        server.routes["/files/co-quan.csv"] = csv_route(_table_text())
        register(hservices, "ckan-co-quan", "ckan", server.url, org, {"policy": POLICY})
        _run(hservices, "ckan-co-quan")
    _assert_phones_dropped(hservices)


DCAT = """@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
<https://so.example/catalog> a dcat:Catalog ; dcat:dataset <https://so.example/ds/1> .
<https://so.example/ds/1> a dcat:Dataset ;
    dct:title "Danh bạ cơ quan"@vi ;
    dct:identifier "danh-ba-co-quan" ;
    dct:license <https://creativecommons.org/licenses/by/4.0/> ;
    dcat:distribution <https://so.example/dist/1> .
<https://so.example/dist/1> a dcat:Distribution ;
    dct:title "Danh bạ" ;
    dct:format "CSV" ;
    dcat:mediaType "text/csv" ;
    dcat:downloadURL <CSV_LOCATION> .
"""


def test_dcat_source_rule_drops_office_phone_columns(hservices, org):
    with ReplayServer({}) as server:
        catalog = DCAT.replace("CSV_LOCATION", f"{server.url}/co-quan.csv").encode()
        server.routes["/catalog.ttl"] = Recorded(200, catalog, {"Content-Type": "text/turtle"})
        server.routes["/co-quan.csv"] = csv_route(_table_text())
        config = {"policy": POLICY, "default_license": "cc-by-4.0"}
        register(hservices, "dcat-co-quan", "dcat", f"{server.url}/catalog.ttl", org, config)
        _run(hservices, "dcat-co-quan")
    _assert_phones_dropped(hservices)


def test_file_source_rule_drops_office_phone_columns(hservices, org):
    with ReplayServer({"/co-quan.csv": csv_route(_table_text())}) as server:
        config = {"policy": POLICY}
        register(hservices, "tep-co-quan", "file", f"{server.url}/co-quan.csv", org, config)
        _run(hservices, "tep-co-quan")
    _assert_phones_dropped(hservices)


def test_sql_source_rule_drops_office_phone_columns(hservices, org, tmp_path):
    path = tmp_path / "agency.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute(f"CREATE TABLE co_quan ({', '.join(f'{h} TEXT' for h in HEADER)})")
        conn.executemany("INSERT INTO co_quan VALUES (?, ?, ?, ?, ?)", ROWS)
    config = {"queries": {"danh-ba": "SELECT * FROM co_quan"}, "policy": POLICY}
    register(hservices, "sql-co-quan", "sql", f"sqlite:///{path}", org, config)
    _run(hservices, "sql-co-quan")
    _assert_phones_dropped(hservices)


@pytest.mark.parametrize("stored", [{"kinds": {"phone": "drop"}}, {}])
def test_upload_organization_rule_wins_over_the_proposal(hservices, org, stored):
    if stored:
        hservices.accounts.set_policy(org.id, json.dumps(stored))
    publisher = actor(hservices, make_user(hservices, org, Role.PUBLISHER))
    dataset = make_dataset(hservices, publisher, org)
    upload_bytes(hservices, publisher, dataset.name, _table_text().encode())
    rows, decisions = _public(hservices)
    if stored:
        _assert_phones_dropped(hservices)
        return
    # No rule of the organization: the office landlines are kept as proposed, the column with
    # a person's mobile gets no proposal and the built-in default masks it.
    assert decisions["dien_thoai"]["action"] == "keep"
    assert decisions["dien_thoai"]["justification"] == PROPOSED_KEEP
    assert [r["dien_thoai"] for r in rows] == [r[2] for r in ROWS]
    assert decisions["duong_day_nong"]["action"] == "mask"
    assert "0912 345 678" not in {r["duong_day_nong"] for r in rows}
