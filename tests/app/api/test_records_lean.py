"""The lean dispatch of records pages (``app.api.records_lean``, issue 24) answers as Flask does.

Each page is asked twice: once through Flask (``FLASK_ONLY`` in the environ) and once as a
client would; the status, the bytes and the headers (all but ``Date``, in order) must match,
and the second must have been answered by the lean path.
"""

from __future__ import annotations

import gzip
import json
import urllib.parse
from typing import Any

import pytest

from app.api.records_lean import FLASK_ONLY, LeanRecords
from datasets.usage import Subject
from tests.app.api.conftest import bearer
from tests.factories import make_user, publish_sample
from tests.shared_tables import publish_shared


@pytest.fixture
def lean_calls(monkeypatch) -> list[str]:
    """The paths the lean path answered (it builds headers only for a page it answers)."""
    calls: list[str] = []
    original = LeanRecords._headers

    def spy(self, environ, data, verdict):
        calls.append(environ["PATH_INFO"] + "?" + environ.get("QUERY_STRING", ""))
        return original(self, environ, data, verdict)

    monkeypatch.setattr(LeanRecords, "_headers", spy)
    return calls


def _portal(settings, **overrides: Any):
    from app import create_app
    from app.services import build_services

    services = build_services(settings.with_overrides(**overrides))
    return create_app(services.settings, services).test_client(), services


def _both(client, url: str, headers: dict[str, str] | None = None):
    flask = client.get(url, headers=headers or {}, environ_overrides={FLASK_ONLY: True})
    lean = client.get(url, headers=headers or {})
    return flask, lean


def _same(flask, lean, *, counted: bool = False) -> None:
    """``counted``: a token's daily count goes on between the two requests."""
    assert lean.status_code == flask.status_code
    assert lean.get_data() == flask.get_data()
    drop = {"date", *(["x-ratelimit-day-remaining"] if counted else [])}
    assert [(k, v) for k, v in lean.headers if k.lower() not in drop] == [
        (k, v) for k, v in flask.headers if k.lower() not in drop
    ]
    assert ("Date" in lean.headers) == ("Date" in flask.headers)


def _base(dataset, resource_id: str) -> str:
    return f"/api/v1/datasets/{dataset.name}/resources/{resource_id}/records"


QUERIES = [
    "",
    "?_limit=2",
    "?" + urllib.parse.urlencode({"quan_huyen": "Quận 1", "_limit": "1"}),
    "?_sort=-so_cho&_limit=2",
    "?_sort=quan_huyen,-so_cho&_fields=ma_tram,so_cho&_limit=3",
    "?quan_huyen=Qu%E1%BA%ADn+1&quan_huyen=Qu%E1%BA%ADn+5&_limit=1&x=%20a%2Fb%3F",
    "?so_cho__gt=20&_limit=1&_q=",
    "?_limit=",
]


@pytest.mark.parametrize("query", QUERIES)
def test_a_lean_page_is_the_flask_page_byte_for_byte(client, services, lean_calls, query) -> None:
    dataset, resource_id, _p, _s = publish_sample(services)
    url = _base(dataset, resource_id) + query
    if "x=" in query:  # a filter on a column that does not exist: Flask's 400, not lean
        flask, lean = _both(client, url)
        _same(flask, lean)
        assert lean.status_code == 400 and lean_calls == []
        return
    flask, lean = _both(client, url)
    _same(flask, lean)
    assert lean.status_code == 200 and len(lean_calls) == 1
    body = lean.get_json()
    if body["next"]:  # the next page's link, built without url_for, leads on
        following = client.get(body["next"].removeprefix("http://localhost"))
        assert following.status_code == 200 and len(lean_calls) == 2
        assert following.get_json()["items"] != body["items"]


def test_gzip_cors_and_hsts_headers_are_the_flask_paths(settings, lean_calls) -> None:
    client, services = _portal(
        settings,
        cors_origins="https://a.example, https://b.example",
        site_url="https://data.example.vn",
    )
    dataset, resource_id, _p, _s = publish_sample(services)
    url = _base(dataset, resource_id)
    for headers in (
        {"Accept-Encoding": "gzip, deflate"},
        {"Origin": "https://b.example"},
        {"Origin": "https://b.example", "Accept-Encoding": "GZIP"},
        {"Origin": "https://elsewhere.example"},
    ):
        flask, lean = _both(client, url, headers)
        _same(flask, lean)
    assert len(lean_calls) == 4
    zipped = client.get(url, headers={"Origin": "https://a.example", "Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert zipped.headers["Vary"] == "Origin, Accept-Encoding, Cookie"
    assert zipped.headers["ETag"].startswith('W/"')
    assert zipped.headers["Strict-Transport-Security"].startswith("max-age=")
    assert json.loads(gzip.decompress(zipped.get_data()))["total"] == 4


def test_the_anonymous_rate_limit_counts_each_request_once(settings, lean_calls) -> None:
    client, services = _portal(settings, rate_limit_anon="4/minute")
    dataset, resource_id, _p, _s = publish_sample(services)
    url = _base(dataset, resource_id)
    first = client.get(url)
    assert first.headers["X-RateLimit-Limit"] == "4"
    assert first.headers["X-RateLimit-Remaining"] == "3"
    # Counted by the lean path, then answered by Flask (404): counted once, not twice.
    missing = client.get(f"/api/v1/datasets/{dataset.name}/resources/no-such/records")
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"
    assert missing.headers["X-RateLimit-Remaining"] == "2"
    third = client.get(url, environ_overrides={FLASK_ONLY: True})
    assert third.headers["X-RateLimit-Remaining"] == "1"
    last = client.get(url)
    assert last.status_code == 200 and last.headers["X-RateLimit-Remaining"] == "0"
    over = client.get(url)
    assert over.status_code == 429 and over.get_json()["error"]["code"] == "rate_limited"
    assert 1 <= int(over.headers["Retry-After"]) <= 60
    assert len(lean_calls) == 2


def test_usage_counts_one_call_per_lean_page(client, services, lean_calls) -> None:
    dataset, resource_id, _p, _s = publish_sample(services)
    before = services.usage.totals(Subject.DATASET, dataset.id).api_calls
    for _ in range(3):
        assert client.get(_base(dataset, resource_id)).status_code == 200
    assert services.usage.totals(Subject.DATASET, dataset.id).api_calls == before + 3
    assert len(lean_calls) == 3


def test_errors_come_in_flasks_shape(client, services, lean_calls) -> None:
    dataset, resource_id, _p, _s = publish_sample(services)
    base = _base(dataset, resource_id)
    for url, status in (
        (base + "?_limit=0", 400),
        (base + "?no_such_column=1", 400),
        (base + "?_sort=nothing", 400),
        (base + "?_cursor=not-a-cursor", 400),
        (base + "?_unknown=1", 400),
        (f"/api/v1/datasets/no-such/resources/{resource_id}/records", 404),
    ):
        flask, lean = _both(client, url)
        _same(flask, lean)
        assert lean.status_code == status and "error" in lean.get_json()
    assert lean_calls == []


def test_callers_and_requests_the_lean_path_leaves_to_flask(client, services, lean_calls) -> None:
    dataset, resource_id, _p, _s = publish_sample(services)
    url = _base(dataset, resource_id)
    token = bearer(services.tokens.create(make_user(services).id, "script"))
    client = client.application.test_client(use_cookies=False)  # sends the Cookie header given
    page = client.get(url)
    assert len(lean_calls) == 1
    for headers in (
        token,
        {"Authorization": "Bearer not-a-token"},
        {"Cookie": "lang=en"},
        {"If-None-Match": page.headers["ETag"]},
        {"Range": "bytes=0-10"},
    ):
        flask, lean = _both(client, url, headers)
        _same(flask, lean, counted=headers is token)
    assert client.get(url, headers=token).headers["X-RateLimit-Day-Remaining"]
    assert client.get(url, headers={"Authorization": "Bearer nope"}).status_code == 401
    assert client.get(url, headers={"If-None-Match": page.headers["ETag"]}).status_code == 304
    for query in ("?_format=csv", "?_facet=quan_huyen", "?_group=quan_huyen&_count"):
        flask, lean = _both(client, url + query)
        _same(flask, lean)
    assert client.head(url).status_code == 200
    assert len(lean_calls) == 1


def test_a_dataset_at_another_level_is_never_read_by_the_lean_path(
    client, services, lean_calls
) -> None:
    table = publish_shared(services, "registered")
    url = f"/api/v1/datasets/{table.name}/resources/{table.resource_id}/records"
    flask, lean = _both(client, url)
    _same(flask, lean)
    assert lean.status_code == 404 and lean_calls == []
