"""JSON-LD catalogs naming a well-known context by URL parse from the bundled copy, offline."""

from __future__ import annotations

from pathlib import Path

import pytest

from harvesters import AddressPolicy, BadResponse, DcatSource, open_session, parse_config
from tests.harvesters.conftest import register
from tests.servers import Recorded, ReplayServer

LOCAL = AddressPolicy.from_setting("127.0.0.1")
CATALOG = Path(__file__).resolve().parents[1] / "recorded" / "dcat" / "semic-context-catalog.jsonld"
SEMIC_301 = b"https://semiceu.github.io/DCAT-AP/releases/3.0.1/context/dcat-ap.jsonld"
DATASETS = [
    "https://data.dongnai.example.vn/dataset/chat-luong-nuoc-song",
    "https://data.dongnai.example.vn/dataset/tram-sac-xe-dien",
]


def _jsonld(body: bytes) -> Recorded:
    return Recorded(200, body, {"Content-Type": "application/ld+json"})


@pytest.mark.parametrize(
    "context",
    [
        SEMIC_301,
        b"https://semiceu.github.io/DCAT-AP/releases/3.0.0/context/dcat-ap.jsonld",
        b"http://semiceu.github.io/DCAT-AP/releases/3.0.1/context/dcat-ap.jsonld",
    ],
)
def test_a_catalog_naming_the_semic_context_is_read_without_fetching_it(context: bytes) -> None:
    body = CATALOG.read_bytes().replace(SEMIC_301, context)
    with ReplayServer({"/catalog.jsonld": _jsonld(body)}) as server:
        source = DcatSource(f"{server.url}/catalog.jsonld", parse_config({}), open_session(LOCAL))
        [page] = list(source.pages())
        assert server.requests == ["/catalog.jsonld"]
    by_uri = {d.uri: d for d in page}
    assert sorted(by_uri) == DATASETS
    water = by_uri[DATASETS[0]]
    assert water.title == "Chất lượng nước sông Đồng Nai"
    assert water.keywords == ("nước mặt", "quan trắc")
    assert water.publisher_name == "Sở Xây dựng tỉnh Đồng Nai"
    assert water.frequency == "MONTHLY"
    [dist] = water.distributions
    assert dist.download_url == "https://data.dongnai.example.vn/files/chat-luong-nuoc-song.csv"
    assert (dist.media_type, dist.format, dist.byte_size) == ("text/csv", "CSV", 48213)
    assert dist.checksum_algorithm == "sha256"
    assert dist.license == "http://creativecommons.org/licenses/by/4.0/"


def test_an_unknown_remote_context_is_a_clear_error_and_never_requested() -> None:
    with ReplayServer({}) as server:
        context = f"{server.url}/context.jsonld"
        server.routes["/context.jsonld"] = _jsonld(b'{"@context": {"title": "urn:x:title"}}')
        body = CATALOG.read_bytes().replace(SEMIC_301, context.encode())
        server.routes["/catalog.jsonld"] = _jsonld(body)
        source = DcatSource(f"{server.url}/catalog.jsonld", parse_config({}), open_session(LOCAL))
        with pytest.raises(BadResponse) as caught:
            list(source.pages())
        assert server.requests == ["/catalog.jsonld"]
    assert caught.value.code == "parse_error"
    message = str(caught.value)
    assert context in message and "never fetched" in message
    assert "https://semiceu.github.io/DCAT-AP/releases/3.0.1/context/dcat-ap.jsonld" in message


def test_an_imported_known_context_is_resolved_and_local_terms_win() -> None:
    body = CATALOG.read_bytes().replace(
        b'"' + SEMIC_301 + b'"',
        b'{"@import": "' + SEMIC_301 + b'", "Agent": "http://xmlns.com/foaf/0.1/Agent",'
        b' "name": "http://xmlns.com/foaf/0.1/name"}',
    )
    with ReplayServer({"/catalog.jsonld": _jsonld(body)}) as server:
        source = DcatSource(f"{server.url}/catalog.jsonld", parse_config({}), open_session(LOCAL))
        [page] = list(source.pages())
        assert server.requests == ["/catalog.jsonld"]
    assert sorted(d.uri for d in page) == DATASETS
    assert {d.publisher_name for d in page} == {"Sở Xây dựng tỉnh Đồng Nai"}


def test_a_harvest_of_a_semic_context_catalog_creates_its_datasets(hservices, org) -> None:
    with ReplayServer({}) as server:
        # the CSV distribution is served here instead of the agency's server
        files = f"{server.url}/files/".encode()
        body = CATALOG.read_bytes().replace(b"https://data.dongnai.example.vn/files/", files)
        server.routes["/catalog.jsonld"] = _jsonld(body)
        server.routes["/files/chat-luong-nuoc-song.csv"] = Recorded(
            200, "tram,thang,ph\nHóa An,2025-10,7.1\nBửu Long,2025-10,6.9\n".encode()
        )
        config = {"default_license": "cc-by-4.0"}
        register(hservices, "semic", "dcat", f"{server.url}/catalog.jsonld", org, config)
        report = hservices.harvester.run("semic")
        assert server.requests[0] == "/catalog.jsonld"
        assert not any("context" in path for path in server.requests)
    assert report.status != "failed", report.error
    # Both datasets were read; the one without any distribution cannot be published.
    assert sorted((i.remote_id, i.outcome.value, i.detail) for i in report.items) == [
        (DATASETS[0], "created", ""),
        (DATASETS[1], "failed", "no_resources"),
    ]
    [view] = hservices.catalog.iter_all()
    assert view.title == "Chất lượng nước sông Đồng Nai"
    assert view.tags == ("nước mặt", "quan trắc")
    assert [r.row_count for r in view.resources] == [2]
