"""Rate limits shared across processes: SQLite in the data dir by default, Redis when set."""

from __future__ import annotations

import uuid

import pytest
import redis

from app.rate_store import SqliteStorage, open_rate_limits
from tests.app.api.conftest import bearer
from tests.factories import make_user


def _portal(settings):
    from app import create_app
    from app.services import build_services

    return create_app(settings, build_services(settings)).test_client()


def _assert_limited(response) -> None:
    assert response.status_code == 429
    assert response.get_json()["error"]["code"] == "rate_limited"
    assert 1 <= int(response.headers["Retry-After"]) <= 60


def test_anonymous_limit_is_shared_by_two_instances_on_one_data_dir(settings) -> None:
    limited = settings.with_overrides(rate_limit_anon="3/minute")
    first, second = _portal(limited), _portal(limited)
    assert first.get("/api/v1/organizations").status_code == 200
    assert second.get("/api/v1/organizations").status_code == 200
    ok = first.get("/api/v1/organizations")
    assert ok.status_code == 200 and ok.headers["X-RateLimit-Remaining"] == "0"
    _assert_limited(second.get("/api/v1/organizations"))
    assert second.get("/dataset").status_code == 200  # pages are not rate limited
    assert (settings.data_dir / "ratelimits.sqlite3").is_file()


def test_each_token_has_its_own_higher_limit(settings, services) -> None:
    limited = settings.with_overrides(rate_limit_anon="1/minute", rate_limit_token="3/minute")
    client = _portal(limited)
    first = bearer(services.tokens.create(make_user(services).id, "a"))
    second = bearer(services.tokens.create(make_user(services).id, "b"))
    assert [client.get("/api/v1/organizations", headers=first).status_code for _ in range(3)] == [
        200,
        200,
        200,
    ]
    _assert_limited(client.get("/api/v1/organizations", headers=first))
    assert client.get("/api/v1/organizations", headers=second).status_code == 200
    assert client.get("/api/v1/organizations").status_code == 200
    _assert_limited(client.get("/api/v1/organizations"))


def test_zero_disables_the_limits(settings) -> None:
    client = _portal(settings)  # the test settings set both limits to 0
    assert all(client.get("/api/v1/organizations").status_code == 200 for _ in range(20))


def test_ckan_api_is_limited_with_ckan_shaped_errors(settings) -> None:
    client = _portal(settings.with_overrides(rate_limit_anon="1/minute"))
    assert "ckan_api" in client.application.blueprints
    assert client.get("/api/3/action/status_show").status_code == 200
    limited = client.get("/api/3/action/status_show")
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    body = limited.get_json()
    assert body["success"] is False and body["error"]["__type"] == "Rate Limit Error"


def test_sqlite_storage_counts_in_fixed_windows(tmp_path) -> None:
    storage = SqliteStorage(tmp_path / "limits.sqlite3")
    assert [storage.incr("k", 60) for _ in range(3)] == [1, 2, 3]
    assert storage.get("k") == 3 and storage.get("other") == 0
    assert storage.incr("short", 0) == 1 and storage.incr("short", 0) == 1  # window ended
    storage.clear("k")
    assert storage.get("k") == 0 and storage.check()


def _redis_or_skip() -> str:
    url = "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url).ping()
    except redis.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    return url


def test_redis_storage_shares_token_limits(tmp_path) -> None:
    url = _redis_or_skip()
    one = open_rate_limits(tmp_path / "a", url, "0", "2/minute")
    two = open_rate_limits(tmp_path / "b", url, "0", "2/minute")
    token = uuid.uuid4().hex  # a fresh key: other runs on this Redis do not interfere
    assert one.check(token, "127.0.0.1").allowed and two.check(token, "127.0.0.1").allowed
    verdict = one.check(token, "127.0.0.1")
    assert not verdict.allowed and 1 <= verdict.retry_after <= 60
    assert not (tmp_path / "a" / "ratelimits.sqlite3").exists()


def test_portal_on_redis_answers_429(settings, services) -> None:
    url = _redis_or_skip()
    client = _portal(settings.with_overrides(redis_url=url, rate_limit_token="2/minute"))
    headers = bearer(services.tokens.create(make_user(services).id, "redis"))
    assert client.get("/api/v1/organizations", headers=headers).status_code == 200
    assert client.get("/api/v1/organizations", headers=headers).status_code == 200
    _assert_limited(client.get("/api/v1/organizations", headers=headers))
