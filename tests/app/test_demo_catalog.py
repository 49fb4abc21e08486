"""The demo catalog (SPEC §9) as a user sees it, and its metadata against the official shapes."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyshacl
import pytest
from jsonschema import Draft4Validator, FormatChecker
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from tests.conftest import conformance_dir


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A portal on SQLite loaded with the demo catalog through `opendata demo`'s code."""
    from app import create_app
    from app.config import Settings
    from app.database import upgrade_database
    from app.demo import load_demo
    from app.keys import ensure_key_files
    from app.services import build_services

    data_dir = tmp_path_factory.mktemp("demo")
    ensure_key_files(data_dir)
    url = f"sqlite:///{data_dir / 'portal.sqlite3'}"
    upgrade_database(url)
    settings = Settings(
        data_dir=data_dir,
        database_url=url,
        testing=True,
        jobs_immediate=True,
        rate_limit_anon="0",
        rate_limit_token="0",
    )
    services = build_services(settings)
    load_demo(services, echo=lambda _line: None)
    app = create_app(settings, services)
    yield app
    services.engine.dispose()


def test_demo_has_what_spec_9_asks_for(demo: Any) -> None:
    svc = demo.extensions["opendata"]
    views = list(svc.catalog.iter_all())
    assert len(views) >= 12
    assert len({v.organization.name for v in views}) >= 5
    assert all(v.title and v.title_en and v.description_en and v.tags and v.themes for v in views)
    assert any(not r.is_tabular and r.format == "PDF" for v in views for r in v.resources)
    permits = svc.catalog.get("giay-phep-xay-dung-da-cap")
    header = permits.resources[0].table_schema["fields"]
    names = [f["name"] for f in header]
    assert "so_cccd" not in names and "so_dien_thoai" not in names
    assert "ho_ten_chu_dau_tu" not in names and "ngay_sinh" in names
    steward = svc.accounts.actor_for(svc.accounts.get_user("steward").id)
    waiting = svc.workflow.review_queue(steward)
    assert [i.dataset_name for i in waiting] == ["lich-thu-gom-rac-sinh-hoat"]


def test_demo_is_idempotent(demo: Any) -> None:
    from app.demo import load_demo

    svc = demo.extensions["opendata"]
    before = svc.catalog.counts()
    assert "0 datasets added" in load_demo(svc, echo=lambda _line: None)
    assert svc.catalog.counts() == before


def test_every_demo_dataset_page_previews_and_downloads(demo: Any) -> None:
    client = demo.test_client()
    svc = demo.extensions["opendata"]
    for view in svc.catalog.iter_all():
        page = client.get(f"/dataset/{view.name}").get_data(as_text=True)
        assert view.title in page
        for resource in view.resources:
            download = client.get(
                f"/dataset/{view.name}/resource/{resource.id}/download/{resource.filename}"
            )
            assert download.status_code == 200, (view.name, resource.filename)
            assert hashlib.sha256(download.data).hexdigest() == resource.sha256
            assert resource.sha256 in page
            if resource.is_tabular:
                first_row = download.data.decode("utf-8").splitlines()[1].split(",")[0]
                assert first_row in page  # the preview shows the table's first cell


def test_demo_permit_download_holds_no_personal_data(demo: Any) -> None:
    client = demo.test_client()
    svc = demo.extensions["opendata"]
    view = svc.catalog.get("giay-phep-xay-dung-da-cap")
    resource = view.resources[0]
    text = client.get(
        f"/dataset/{view.name}/resource/{resource.id}/download/{resource.filename}"
    ).get_data(as_text=True)
    assert not re.search(r"\b0\d{2}[0-3]\d{8}\b", text)  # no 12-digit citizen IDs
    assert not re.search(r"\b09\d{8}\b", text)  # no mobile numbers
    assert re.search(r"^so_giay_phep,ngay_cap,ngay_sinh,", text, re.M)
    assert re.search(r",19\d\d,", text)  # dates of birth generalized to the year


def _shapes() -> Graph:
    folder = conformance_dir() / "dcat-ap" / "3.0.1" / "shacl"
    shapes = Graph()
    for name in ("shapes.ttl", "range.ttl"):
        shapes.parse(folder / name, format="turtle")
    return shapes


def test_demo_catalog_conforms_to_dcat_ap_3_0_1(demo: Any) -> None:
    client = demo.test_client()
    ttl = client.get("/catalog.ttl")
    assert ttl.mimetype == "text/turtle"
    graph = Graph().parse(data=ttl.get_data(as_text=True), format="turtle")
    conforms, _report, text = pyshacl.validate(graph, shacl_graph=_shapes(), inference="none")
    assert conforms, text
    titles = {str(o) for o in graph.objects(None, None) if getattr(o, "language", None) == "vi"}
    assert "Tuyến xe buýt" in titles
    for name in ("tuyen-xe-buyt", "giay-phep-xay-dung-da-cap"):
        record = Graph().parse(
            data=client.get(f"/dataset/{name}.ttl").get_data(as_text=True), format="turtle"
        )
        conforms, _report, text = pyshacl.validate(record, shacl_graph=_shapes(), inference="none")
        assert conforms, text


def test_demo_catalog_has_the_recommended_properties_the_portal_can_fill(demo: Any) -> None:
    """DCAT-AP 3.0.1 recommended shapes: only the warnings listed (and justified) in
    tests/metadata/test_dcat_shacl.py remain."""
    from tests.metadata.test_dcat_shacl import ALLOWED_WARNINGS, recommended_warnings

    folder = conformance_dir() / "dcat-ap" / "3.0.1" / "shacl"
    shapes = Graph().parse(folder / "shapes_recommended.ttl", format="turtle")
    ttl = demo.test_client().get("/catalog.ttl").get_data(as_text=True)
    graph = Graph().parse(data=ttl, format="turtle")
    warnings = recommended_warnings(graph, shapes)
    assert {(kind, path) for _focus, kind, path in warnings} <= ALLOWED_WARNINGS
    # the datasets without a distribution are exactly those at a non-public level
    svc = demo.extensions["opendata"]
    without = {str(focus).rsplit("/", 1)[1] for focus, kind, _ in warnings if kind == DCAT.Dataset}
    assert without == {view.id for view in svc.catalog.iter_all() if view.access_level != "public"}
    assert without  # the demo has shared datasets


def test_demo_data_json_conforms_to_dcat_us_1_1_non_federal(demo: Any) -> None:
    folder = conformance_dir() / "dcat-us" / "gsa-ckanext-datajson-pod_schema" / "non-federal-v1.1"
    base = "https://project-open-data.cio.gov/v1.1/schema"
    registry: Registry[Any] = Registry().with_resources(
        (
            f"{base}/{p.name}",
            Resource.from_contents(json.loads(p.read_text()), default_specification=DRAFT4),
        )
        for p in folder.glob("*.json")
    )
    validator = Draft4Validator(
        json.loads((folder / "catalog.json").read_text()),
        registry=registry,
        format_checker=FormatChecker(),
    )
    doc = demo.test_client().get("/data.json").get_json()
    assert [e.message for e in validator.iter_errors(doc)] == []
    assert len(doc["dataset"]) >= 12


def test_catalog_pages_negotiates_and_caches(demo: Any) -> None:
    client = demo.test_client()
    first = client.get("/catalog.ttl?page=1")
    etag = first.headers["ETag"]
    assert client.get("/catalog.ttl?page=1", headers={"If-None-Match": etag}).status_code == 304
    negotiated = client.get("/catalog", headers={"Accept": "application/ld+json"})
    assert negotiated.mimetype == "application/ld+json"
    assert "Tuyến xe buýt" in negotiated.get_data(as_text=True)
    html = client.get("/catalog", headers={"Accept": "text/html"})
    assert html.status_code == 302
    filtered = client.get("/catalog.ttl?organization=so-y-te").get_data(as_text=True)
    assert "Cơ sở khám chữa bệnh" in filtered and "Tuyến xe buýt" not in filtered
    searched = client.get("/catalog.nt?q=xe+buyt").get_data(as_text=True)
    assert "Tuyến xe buýt" in searched and "Trường học" not in searched
    nothing = client.get("/catalog.ttl?modified_since=2999-01-01T00:00:00Z")
    assert "Tuyến xe buýt" not in nothing.get_data(as_text=True)
    assert client.get("/catalog.ttl?modified_since=yesterday").status_code == 422
    dataset = client.get("/dataset/tuyen-xe-buyt", headers={"Accept": "text/turtle"})
    assert dataset.mimetype == "text/turtle"


@pytest.mark.parametrize("q", ["giao thong", "giao thông"])
def test_transport_datasets_come_first_for_giao_thong(demo: Any, q: str) -> None:
    """Issue 21: "giáo viên" and "phổ thông" fold to "giao" and "thong", scattered over the
    schools' description; the transport theme and department hold the phrase itself."""
    found = demo.test_client().get("/api/v1/datasets", query_string={"q": q}).get_json()
    names = [item["name"] for item in found["items"]]
    transport = {"tuyen-xe-buyt", "tram-dung-xe-buyt", "bai-do-xe-cong-cong"}
    assert set(names[:3]) == transport, names
    assert "truong-hoc-cac-cap" in names[3:], names


def test_dataset_page_carries_schema_org_for_dataset_search(demo: Any) -> None:
    page = demo.test_client().get("/dataset/tuyen-xe-buyt").get_data(as_text=True)
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert block
    doc = json.loads(block.group(1))
    assert doc["@type"] == "Dataset" and doc["name"] == "Tuyến xe buýt"
    assert 50 <= len(doc["description"]) <= 5000
    assert doc["distribution"][0]["encodingFormat"] and doc["distribution"][0]["contentUrl"]
    assert doc["creator"] and doc["license"] and doc["temporalCoverage"] and doc["spatialCoverage"]
    # Read as RDF (schema.org's context maps every term under @vocab; inlined, not fetched).
    graph = Graph().parse(
        data=json.dumps({**doc, "@context": {"@vocab": "https://schema.org/"}}), format="json-ld"
    )
    rows = graph.query(
        """PREFIX s: <https://schema.org/>
        SELECT ?box WHERE { ?d a s:Dataset ; s:spatialCoverage/s:geo ?g .
                            ?g a s:GeoShape ; s:box ?box }"""
    )
    assert [str(row[0]) for row in rows] == ["8.628084 106.326367 11.500854 107.573272"]
    columns = graph.query(
        """PREFIX s: <https://schema.org/>
        SELECT ?name WHERE { ?d a s:Dataset ; s:variableMeasured ?v .
                             ?v a s:PropertyValue ; s:name ?name }"""
    )
    view = demo.extensions["opendata"].catalog.get("tuyen-xe-buyt")
    fields = {f["name"] for r in view.resources if r.table_schema for f in r.table_schema["fields"]}
    assert {str(row[0]) for row in columns} == fields and fields


def test_datapackage_is_valid_frictionless(demo: Any, tmp_path: Path) -> None:
    from frictionless import Package

    client = demo.test_client()
    doc = client.get("/dataset/tuyen-xe-buyt/datapackage.json").get_json()
    for resource in doc["resources"]:
        path = resource["path"].split("127.0.0.1:5000", 1)[1]
        local = tmp_path / Path(path).name
        local.write_bytes(client.get(path).data)
        resource["path"] = local.name
    (tmp_path / "datapackage.json").write_text(json.dumps(doc))
    report = Package(str(tmp_path / "datapackage.json")).validate()
    assert report.valid, report.flatten(["type", "note"])


def _first_rows(svc: Any, who: str, name: str) -> list[str]:
    """The first lines of the file ``who`` reads of dataset ``name`` ([] when none)."""
    actor = svc.accounts.actor_for(svc.accounts.get_user(who).id)
    view = svc.readers.view(actor, svc.catalog.get(name))
    if not view.dataset.resources:
        return []
    resource = view.dataset.resources[0]
    if resource.agency_key:
        with svc.vault.decrypted(resource.agency_key, ".csv") as path:
            return path.read_text(encoding="utf-8").splitlines()[:3]
    lines = svc.public_store.local_path(resource.sha256).read_text(encoding="utf-8")
    return lines.splitlines()[:3]


def test_demo_shares_databases_at_each_level(demo: Any) -> None:
    from app.demo_shared import AGENCIES_NAME, REGISTERED_NAME, RESTRICTED_NAME

    svc = demo.extensions["opendata"]
    records = {n: svc.catalog.get(n) for n in (REGISTERED_NAME, AGENCIES_NAME, RESTRICTED_NAME)}
    assert {n: r.access_level for n, r in records.items()} == {
        REGISTERED_NAME: "registered",
        AGENCIES_NAME: "agencies",
        RESTRICTED_NAME: "restricted",
    }
    assert all(r.resources == () and r.access_instructions for r in records.values())
    # The business account (no agency) reads the registered file only.
    assert _first_rows(svc, "business", REGISTERED_NAME)[0].startswith("ma_doanh_nghiep,")
    assert _first_rows(svc, "business", AGENCIES_NAME) == []
    assert _first_rows(svc, "business", RESTRICTED_NAME) == []
    # The Thu Duc officer (another agency, with its organization's grant) reads both.
    assert _first_rows(svc, "officer", AGENCIES_NAME)[0].startswith("ma_co_quan,")
    header, row, _ = _first_rows(svc, "officer", RESTRICTED_NAME)
    assert header.split(",")[2:5] == ["ho_ten_chu_ho", "so_cccd", "so_dien_thoai"]
    name, cccd, phone = row.split(",")[2:5]
    assert re.fullmatch(r"\S+ \S+ \S+", name)  # kept, with a justification
    assert re.fullmatch(r"[0-9a-f]{64}", cccd)  # hashed with the portal key
    assert re.fullmatch(r"\*{7}\d{3}", phone)  # masked
    # The sysadmin has no grant for the restricted dataset; the owner's steward reads it.
    assert _first_rows(svc, "admin", RESTRICTED_NAME) == []
    assert _first_rows(svc, "steward", RESTRICTED_NAME)[1] == row


def test_demo_restricted_dataset_has_a_grant_and_a_pending_request(demo: Any) -> None:
    from app.demo_shared import RESTRICTED_NAME

    svc = demo.extensions["opendata"]
    steward = svc.accounts.actor_for(svc.accounts.get_user("steward").id)
    owner = svc.accounts.get_organization("so-tai-chinh")
    grants = svc.sharing.grants(steward, organization_id=owner.id)
    assert [(g.dataset_name, g.organization, g.user) for g in grants] == [
        (RESTRICTED_NAME, "ubnd-thanh-pho-thu-duc", None)
    ]
    assert grants[0].approved_by == "steward" and grants[0].revoked_at is None
    waiting = svc.sharing.requests(steward, organization_id=owner.id)
    assert sorted((r.requester, r.status) for r in waiting) == [
        ("business", "pending"),
        ("officer", "approved"),
    ]
    assert "so_dien_thoai" not in (next(r for r in waiting if r.status == "pending").columns or ())


def test_demo_tables_use_current_units_and_the_2024_table_gets_suggestions(demo: Any) -> None:
    """Issue 22: the city has no districts since 1 July 2025; the demo's tables name its
    current wards, but the population of 2024 keeps the units of its time, so its report
    shows what they became."""
    from app.demo_loading import DEMO_PASSWORD
    from datasets.queries import get_dataset
    from tests.conftest import AuthActions

    svc = demo.extensions["opendata"]
    notes: dict[str, list[Any]] = {}
    with svc.sessions() as session:
        for view in svc.catalog.iter_all():
            revision = get_dataset(session, view.name).live_revision
            for entry in revision.entries:
                report = entry.version.validation_report
                if report is not None and report.places:
                    notes.setdefault(view.name, []).extend(report.places)
    from app.demo_shared import REFERENCE_NAME

    notes.pop(REFERENCE_NAME, None)  # the reference catalogue lists the old units on purpose
    old = notes.pop("dan-so-theo-phuong-xa")
    assert {p.column for p in old} == {"quan_huyen", "phuong_xa"}
    assert all(p.obsolete and not p.current for p in old)
    wards = next(p for p in old if p.column == "phuong_xa")
    suggested = {v.value: [u.name for u in v.current] for v in wards.obsolete_values}
    assert suggested["Phường Bến Nghé"] == ["Phường Sài Gòn"]
    assert {"tram-dung-xe-buyt", "co-so-kham-chua-benh", "truong-hoc-cac-cap"} <= set(notes)
    for name, columns in notes.items():  # every other table names current units only
        assert all(p.current and not p.obsolete and not p.unknown for p in columns), name
    client = demo.test_client()
    AuthActions(client).login("publisher", DEMO_PASSWORD)
    page = client.get("/dataset/dan-so-theo-phuong-xa/manage").get_data(as_text=True)
    assert "Phường Sài Gòn <code>26740</code>" in page
    assert 'name="column" value="phuong_xa"' in page


def test_the_administrative_units_are_the_first_open_reference_catalogue(demo: Any) -> None:
    from app.demo_shared import REFERENCE_NAME

    svc = demo.extensions["opendata"]
    view = svc.catalog.get(REFERENCE_NAME)
    assert view.access_level == "public" and view.spatial_units == ("79",)
    assert [r.format for r in view.resources] == ["CSV", "CSV"]
    client = demo.test_client()
    base = f"/dataset/{REFERENCE_NAME}/resource/{view.resources[0].id}/download"
    as_json = json.loads(client.get(f"{base}/don-vi-hanh-chinh.json").get_data())
    assert len(as_json) == 169
    assert as_json[0]["ten_don_vi"] == "Thành phố Hồ Chí Minh"
    csv_text = svc.public_store.local_path(view.resources[0].sha256).read_text(encoding="utf-8")
    current = csv_text.splitlines()
    assert current[0].startswith("ma_don_vi,ten_don_vi,ten_ngan,cap_don_vi")
    assert current[1].startswith("79,Thành phố Hồ Chí Minh,")
    assert len(csv_text.splitlines()) == 1 + 1 + 168  # header, the city, its units
    assert "26743,Phường Bến Thành,Bến Thành,Phường,79," in csv_text
    old = svc.public_store.local_path(view.resources[1].sha256).read_text(encoding="utf-8")
    assert "26737,Phường Đa Kao,Phường,760,Quận 1,79,Thành phố Hồ Chí Minh,26740," in old
    # DCAT: the dataset covers the city at its stable URI, which resolves
    graph = Graph().parse(
        data=client.get(f"/dataset/{REFERENCE_NAME}.ttl").get_data(as_text=True), format="turtle"
    )
    spatial = {str(o) for o in graph.objects(None, URIRef("http://purl.org/dc/terms/spatial"))}
    assert len(spatial) == 1 and spatial.pop().endswith("/places/79")
    place = client.get("/places/79.json").get_json()
    assert place["name"] == "Thành phố Hồ Chí Minh" and len(place["predecessors"]) == 3
