"""HTTP behaviour of the REST API: gzip, CORS, ETags, the OpenAPI document, usage counts."""

from __future__ import annotations

import gzip
import json

from openapi_spec_validator import validate

from tests.app.api.conftest import Team
from tests.factories import publish_sample


def test_json_is_gzipped_when_the_client_accepts_it(client, services) -> None:
    for n in range(3):
        publish_sample(services, title=f"Trạm xe buýt số {n}")
    plain = client.get("/api/v1/datasets")
    zipped = client.get("/api/v1/datasets", headers={"Accept-Encoding": "gzip, br"})
    assert "Content-Encoding" not in plain.headers
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    assert json.loads(gzip.decompress(zipped.get_data())) == plain.get_json()
    assert len(zipped.get_data()) < len(plain.get_data())
    assert plain.get_json()["total"] == 3


def test_cors_allows_public_gets_only(client, team: Team) -> None:
    origin = {"Origin": "https://startup.example"}
    read = client.get("/api/v1/organizations", headers=origin)
    assert read.headers["Access-Control-Allow-Origin"] == "*"
    write = client.post(
        "/api/v1/datasets",
        json={"organization": team.org.name, "title": "CORS"},
        headers={**origin, **team.publisher},
    )
    assert write.status_code == 201 and "Access-Control-Allow-Origin" not in write.headers
    preflight = client.options("/api/v1/organizations", headers=origin)
    assert preflight.headers["Access-Control-Allow-Methods"] == "GET, HEAD"


def test_cors_origins_setting_limits_origins(settings) -> None:
    from app import create_app
    from app.services import build_services

    narrow = settings.with_overrides(cors_origins="https://a.example")
    app = create_app(narrow, build_services(narrow))
    client = app.test_client()
    allowed = client.get("/api/v1/organizations", headers={"Origin": "https://a.example"})
    other = client.get("/api/v1/organizations", headers={"Origin": "https://b.example"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://a.example"
    assert "Access-Control-Allow-Origin" not in other.headers


def test_reads_answer_etags_and_304(client, services) -> None:
    _dataset, _rid, _p, _s = publish_sample(services)
    first = client.get("/api/v1/organizations")
    etag = first.headers["ETag"]
    again = client.get("/api/v1/organizations", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    changed = client.get("/api/v1/organizations", headers={"If-None-Match": '"other"'})
    assert changed.status_code == 200 and changed.get_json()["total"] == 1


def test_openapi_document_is_valid_and_covers_every_route(client, app) -> None:
    doc = client.get("/api/v1/openapi.json").get_json()
    validate(doc)
    documented = {
        (method.upper(), "/api/v1" + path) for path, ops in doc["paths"].items() for method in ops
    }
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api.") and rule.endpoint not in (
            "api.openapi_json",
            "api.docs_page",
        ):
            path = rule.rule.replace("<slug:name>", "{name}")
            for variable in ("resource_id", "request_id", "grant_id", "webhook_id"):
                path = path.replace(f"<slug:{variable}>", "{id}")
            path = path.replace("<filename>", "{filename}")
            routes |= {(m, path) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes == documented
    assert doc["servers"][0]["url"] == "http://localhost/api/v1"


def test_docs_page_renders_the_reference_without_external_assets(client) -> None:
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assert "GET /datasets/{name}/resources/{id}/records" in page
    assert "_cursor" in page and "ValidationReport" in page
    assert "cdn" not in page.lower() and "https://unpkg" not in page
    # The placeholder shows (it was read as an HTML tag: "Authorization: Bearer .").
    assert "tiêu đề Authorization: Bearer &lt;token&gt;." in page


def test_usage_counts_api_calls_and_downloads(client, services) -> None:
    dataset, resource_id, _p, _s = publish_sample(services)
    for _ in range(3):
        client.get(f"/api/v1/datasets/{dataset.name}/resources/{resource_id}/records")
    client.get(f"/dataset/{dataset.name}/resource/{resource_id}/download/data.csv")
    usage = client.get(f"/api/v1/datasets/{dataset.name}").get_json()["usage"]
    assert usage == {"downloads": 1, "api_calls": 3, "downloads_30d": 1, "api_calls_30d": 3}
    page = client.get(f"/dataset/{dataset.name}").get_data(as_text=True)
    assert 'data-usage-downloads="1"' in page and 'data-usage-api-calls="4"' in page


def test_the_reference_page_speaks_vietnamese_and_every_text_of_the_document_is_translated(
    app, client
) -> None:
    # Seen by a business developer: the Vietnamese docs page described the API in English.
    from flask_babel import force_locale, gettext

    from app.api.openapi import openapi_document

    page = client.get("/api/v1/docs").get_data(as_text=True)
    assert "Tìm các bộ dữ liệu đã công bố" in page and "Search published datasets" not in page
    assert "Số trang." in page
    # The text is escaped as any text: placeholders in a description stay visible.
    assert "lọc bằng `&lt;cot&gt;=&lt;gia_tri&gt;`" in page
    doc = openapi_document("http://localhost/api/v1")
    texts = set()
    for methods in doc["paths"].values():
        for op in methods.values():
            texts.add(op["summary"])
            texts.update(p["description"] for p in op.get("parameters", []) if "description" in p)
            texts.update(r["description"] for r in op["responses"].values())
    dynamic = {t for t in texts if t.startswith("Words to search for: at most ")}  # numbers
    with app.test_request_context(), force_locale("vi"):
        untranslated = sorted(t for t in texts - dynamic if gettext(t) == t)
    assert untranslated == []
