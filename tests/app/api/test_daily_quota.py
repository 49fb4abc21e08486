"""The daily quota per token (issue 23), beside the per-minute limit: SQLite and Redis
counters, the 429 with its headers, and the account page's usage against the quota."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import redis

from app.rate_store import open_rate_limits
from tests.app.api.conftest import bearer
from tests.factories import PASSWORD, make_user


def _portal(settings):
    from app import create_app
    from app.services import build_services

    return create_app(settings, build_services(settings)).test_client()


def _next_midnight() -> int:
    now = datetime.now(UTC)
    return int(
        datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), UTC).timestamp()
    )


def _assert_quota_spent(response) -> None:
    assert response.status_code == 429
    body = response.get_json()["error"]
    assert body.get("code", body.get("__type")) in ("rate_limited", "Rate Limit Error")
    assert "3" in body["message"]
    assert response.headers["X-RateLimit-Day-Limit"] == "3"
    assert response.headers["X-RateLimit-Day-Remaining"] == "0"
    reset = int(response.headers["X-RateLimit-Day-Reset"])
    assert reset == _next_midnight()
    assert abs(int(response.headers["Retry-After"]) - (reset - time.time())) <= 5


def test_a_token_past_its_daily_quota_gets_429_until_midnight(settings, services) -> None:
    client = _portal(settings.with_overrides(api_quota_token_daily=3))
    first = bearer(services.tokens.create(make_user(services).id, "a"))
    second = bearer(services.tokens.create(make_user(services).id, "b"))
    answers = [client.get("/api/v1/organizations", headers=first) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert [a.headers["X-RateLimit-Day-Remaining"] for a in answers] == ["2", "1", "0"]
    _assert_quota_spent(client.get("/api/v1/organizations", headers=first))
    _assert_quota_spent(client.get("/api/3/action/status_show", headers=first))  # both APIs
    ok = client.get("/api/v1/organizations", headers=second)  # each token its own quota
    assert ok.status_code == 200 and ok.headers["X-RateLimit-Day-Remaining"] == "2"
    anonymous = client.get("/api/v1/organizations")  # no token: no daily quota
    assert anonymous.status_code == 200 and "X-RateLimit-Day-Limit" not in anonymous.headers


def test_zero_disables_the_daily_quota(settings, services) -> None:
    client = _portal(settings.with_overrides(api_quota_token_daily=0))
    headers = bearer(services.tokens.create(make_user(services).id, "a"))
    answers = [client.get("/api/v1/organizations", headers=headers) for _ in range(5)]
    assert all(a.status_code == 200 for a in answers)
    assert "X-RateLimit-Day-Limit" not in answers[-1].headers


def test_the_quota_counts_per_utc_day(tmp_path) -> None:
    limits = open_rate_limits(tmp_path, "", "0", "0", daily=2)
    token = uuid.uuid4().hex
    day = datetime(2026, 3, 1, 23, 59, tzinfo=UTC)
    assert [limits.check_day(token, day).allowed for _ in range(3)] == [True, True, False]
    assert limits.used_today(token, day) == 3
    tomorrow = day + timedelta(minutes=2)
    verdict = limits.check_day(token, tomorrow)
    assert verdict is not None and verdict.allowed and verdict.used == 1
    assert verdict.reset == int(datetime(2026, 3, 3, tzinfo=UTC).timestamp())


def test_the_account_page_shows_usage_today_against_the_quota(settings, services) -> None:
    from tests.conftest import csrf_from

    client = _portal(settings.with_overrides(api_quota_token_daily=3))
    user = make_user(services, name="quota-page")
    headers = bearer(services.tokens.create(user.id, "nightly"))
    for _ in range(2):
        assert client.get("/api/v1/organizations", headers=headers).status_code == 200
    token = csrf_from(client, "/user/login")
    client.post("/user/login", data={"login": user.name, "password": PASSWORD, "csrf_token": token})
    page = client.get("/user/account").get_data(as_text=True)
    row = page.split('data-token="nightly"', 1)[1].split("</tr>", 1)[0]
    assert '<td class="token-quota">2 / 3</td>' in row


def _redis_or_skip() -> str:
    url = "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url).ping()
    except redis.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    return url


def test_the_daily_quota_is_shared_through_redis(tmp_path, settings, services) -> None:
    url = _redis_or_skip()
    one = open_rate_limits(tmp_path / "a", url, "0", "0", daily=2)
    two = open_rate_limits(tmp_path / "b", url, "0", "0", daily=2)
    token = uuid.uuid4().hex  # a fresh key: other runs on this Redis do not interfere
    assert one.check_day(token).allowed and two.check_day(token).allowed
    verdict = two.check_day(token)
    assert verdict is not None and not verdict.allowed and verdict.remaining == 0
    assert one.used_today(token) == 3
    assert not (tmp_path / "a" / "ratelimits.sqlite3").exists()
    client = _portal(settings.with_overrides(redis_url=url, api_quota_token_daily=1))
    headers = bearer(services.tokens.create(make_user(services).id, "redis"))
    assert client.get("/api/v1/organizations", headers=headers).status_code == 200
    assert client.get("/api/v1/organizations", headers=headers).status_code == 429
