"""DCAT and data.json sources on the real material of ../shared/conformance/harvest."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from datasets.model import Dataset
from harvesters import (
    AddressPolicy,
    DataJsonSource,
    DcatSource,
    HarvestObject,
    open_session,
    parse_config,
)
from tests.conftest import conformance_dir
from tests.harvesters.conftest import register
from tests.servers import Recorded, ReplayServer

LOCAL = AddressPolicy.from_setting("127.0.0.1")
TYPES = {
    ".ttl": "text/turtle",
    ".rdf": "application/rdf+xml",
    ".jsonld": "application/ld+json",
    ".json": "application/json",
}


def _dcat_dir() -> Path:
    return conformance_dir() / "harvest" / "dcat-rdf" / "ckanext-dcat"


def _datajson_dir() -> Path:
    return conformance_dir() / "harvest" / "datajson" / "gsa-ckanext-datajson"


def _route(path: Path, body: bytes | None = None) -> Recorded:
    data = path.read_bytes() if body is None else body
    return Recorded(200, data, {"Content-Type": TYPES[path.suffix]})


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("dataset_afs.ttl", ["http://example.com/data/test-dataset-1"]),
        (
            "catalog.rdf",
            [
                "https://data.some.org/catalog/datasets/1",
                "https://data.some.org/catalog/datasets/2",
            ],
        ),
        ("catalog_pod.jsonld", ["http://www.agency.gov/datasets/widgets-data"]),
        (
            "catalog_with_at_graph.jsonld",
            ["https://ckan.example.org/dataset/d4ce4e6e-ab89-44cb-bf5c-33a162c234de#dataset"],
        ),
    ],
)
def test_dcat_source_reads_every_rdf_format(name: str, expected: list[str]) -> None:
    path = _dcat_dir() / name
    with ReplayServer({f"/{name}": _route(path)}) as server:
        source = DcatSource(f"{server.url}/{name}", parse_config({}), open_session(LOCAL))
        refs = list(source.gather())
    assert [r.remote_id for r in refs] == expected


def test_dcat_source_follows_hydra_pages_and_stops_on_a_loop() -> None:
    first, second = _dcat_dir() / "dataset_afs.ttl", _dcat_dir() / "dataset_multilingual.ttl"
    with ReplayServer({}) as server:
        link = (
            "<{}/catalog?page={}> <http://www.w3.org/ns/hydra/core#next> <{}/catalog?page={}> .\n"
        )
        page1 = first.read_bytes() + b"\n" + link.format(server.url, 1, server.url, 2).encode()
        page2 = second.read_bytes() + b"\n" + link.format(server.url, 2, server.url, 1).encode()
        server.routes["/catalog?page=1"] = _route(first, page1)
        server.routes["/catalog?page=2"] = _route(second, page2)
        source = DcatSource(f"{server.url}/catalog?page=1", parse_config({}), open_session(LOCAL))
        refs = list(source.gather())
        assert server.requests == ["/catalog?page=1", "/catalog?page=2"]
    assert [r.remote_id for r in refs] == [
        "http://example.com/data/test-dataset-1",
        "https://example.org/dataset/0112cf32-bce0-4071-9504-923375f9f2ad",
    ]
    assert refs[1].alt_id == "0112cf32-bce0-4071-9504-923375f9f2ad"


def test_dcat_harvest_takes_approved_keyword_and_records_provenance(hservices, org):
    path = _dcat_dir() / "catalog.rdf"
    with ReplayServer({"/catalog.rdf": _route(path)}) as server:
        config = {"approval_tag": "sloths", "default_license": "cc-by-4.0"}
        register(hservices, "dcat-a", "dcat", f"{server.url}/catalog.rdf", org, config)
        report = hservices.harvester.run("dcat-a")
    assert [(i.remote_id, i.outcome.value) for i in report.items] == [
        ("https://data.some.org/catalog/datasets/2", "created")
    ]
    view = next(iter(hservices.catalog.iter_all()))
    assert view.provenance is not None
    assert view.provenance.remote_id == "https://data.some.org/catalog/datasets/2"
    assert {r.url for r in view.resources} >= {"https://external.site.org/"}


def test_dcat_unparseable_catalog_fails_the_job_cleanly(hservices, org):
    path = _dcat_dir() / "upstream-syntax-errors" / "dataset.ttl"
    with ReplayServer({"/bad.ttl": _route(path)}) as server:
        register(hservices, "dcat-bad", "dcat", f"{server.url}/bad.ttl", org)
        report = hservices.harvester.run("dcat-bad")
    assert report.status == "failed" and report.error == "parse_error"
    job = hservices.harvester.jobs("dcat-bad")[0]
    assert job.status == "failed" and job.error == "parse_error"


def test_dcat_dataset_matched_by_identifier_when_its_uri_changes(hservices, org):
    path = _dcat_dir() / "dataset_multilingual.ttl"
    with ReplayServer({}) as server:
        # its CSV distribution is served here instead of example.com
        original = path.read_bytes().replace(
            b"https://example.com/data.csv", f"{server.url}/data.csv".encode()
        )
        renamed = original.replace(
            b"https://example.org/dataset/", b"https://moved.example.org/ds/"
        )
        assert renamed != original
        server.routes["/data.csv"] = Recorded(200, b"loai_cay,so_luong\nThong,12\nSoi,7\n")
        server.routes["/c.ttl"] = _route(path, original)
        config = {"default_license": "cc-by-4.0"}
        register(hservices, "dcat-m", "dcat", f"{server.url}/c.ttl", org, config)
        hservices.harvester._deps = replace(hservices.harvester._deps, sleep=lambda s: None)
        first = hservices.harvester.run("dcat-m")
        server.routes["/c.ttl"] = _route(path, renamed)
        second = hservices.harvester.run("dcat-m")
    assert [i.outcome.value for i in first.items] == ["created"]
    # the same local dataset is updated (matched by dct:identifier), now known by its new URI
    assert [i.outcome.value for i in second.items] == ["updated"], second.to_dict()
    with hservices.sessions() as session:
        assert len(session.scalars(select(Dataset)).all()) == 1
        (row,) = session.scalars(select(HarvestObject)).all()
        assert row.remote_id == "https://moved.example.org/ds/0112cf32-bce0-4071-9504-923375f9f2ad"


def test_datajson_harvest_with_field_approval(hservices, org):
    path = _datajson_dir() / "arm.data.json"
    with ReplayServer({"/data.json": _route(path)}) as server:
        config = {"approval_extra": "accessLevel=public", "default_license": "cc-by-4.0"}
        register(hservices, "dj-a", "datajson", f"{server.url}/data.json", org, config)
        report = hservices.harvester.run("dj-a")
        refs = list(
            DataJsonSource(
                f"{server.url}/data.json", parse_config({}), open_session(LOCAL)
            ).gather()
        )
    assert [r.remote_id for r in refs] == ["ncepgfsbrwpprof", "10.5439/1027266", "avhrr12"]
    assert report.counts()["created"] == 3, report.to_dict()
    titles = sorted(v.title for v in hservices.catalog.iter_all())
    assert len(titles) == 3 and all(titles)


def test_datajson_without_approval_field_takes_nothing(hservices, org):
    path = _datajson_dir() / "arm.data.json"
    with ReplayServer({"/data.json": _route(path)}) as server:
        config = {"approval_extra": "x-approved=yes", "default_license": "cc-by-4.0"}
        register(hservices, "dj-b", "datajson", f"{server.url}/data.json", org, config)
        report = hservices.harvester.run("dj-b")
    assert report.items == [] and report.status == "finished"
    assert list(hservices.catalog.iter_all()) == []
