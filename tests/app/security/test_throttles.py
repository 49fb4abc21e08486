"""Sign-in and mail throttles, with real concurrent requests over HTTP."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from app import create_app
from tests.conftest import csrf_from
from tests.factories import PASSWORD, make_user
from tests.servers import LiveServer

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _browser(server: LiveServer) -> tuple[requests.Session, str]:
    browser = requests.Session()
    page = browser.get(f"{server.url}/user/login", timeout=30)
    match = CSRF.search(page.text)
    assert match
    return browser, match.group(1)


def _sign_in(server: LiveServer, login: str, password: str, browser=None) -> requests.Response:
    if browser is None:
        browser, token = _browser(server)
    else:
        token = CSRF.search(browser.get(f"{server.url}/user/login", timeout=30).text).group(1)
    return browser.post(
        f"{server.url}/user/login",
        data={"login": login, "password": password, "csrf_token": token},
        allow_redirects=False,
        timeout=60,
    )


def _audit_count(services, action: str) -> int:
    from sqlalchemy import func, select

    from publishers.model import AuditEntry

    with services.sessions() as session:
        return int(
            session.scalar(
                select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)
            )
            or 0
        )


def test_concurrent_guesses_check_no_more_passwords_than_the_limit(services, live_server):
    admin = make_user(services, sysadmin=True, name="admin")
    browsers = [_browser(live_server) for _ in range(16)]

    def guess(pair):
        browser, token = pair
        return browser.post(
            f"{live_server.url}/user/login",
            data={"login": admin.name, "password": "wrong guess 123", "csrf_token": token},
            allow_redirects=False,
            timeout=60,
        ).status_code

    with ThreadPoolExecutor(max_workers=16) as pool:
        codes = list(pool.map(guess, browsers))
    assert sorted(set(codes)) == [401, 429]
    assert codes.count(401) == 5  # OPENDATA_SIGNIN_LIMIT_ACCOUNT: 5/15minutes
    assert _audit_count(services, "signin.failed") == 5
    assert _audit_count(services, "signin.throttled") == 11


def test_the_owner_signs_in_from_a_known_browser_while_the_account_is_attacked(
    services, live_server
):
    admin = make_user(services, sysadmin=True, name="admin")
    owner = requests.Session()
    assert _sign_in(live_server, "admin", PASSWORD, owner).status_code == 302
    owner.cookies.pop("session")  # signed out, the browser remembers it knows the account
    for _ in range(8):  # an attacker from other clients
        _sign_in(live_server, "admin", "wrong guess 123")
    stranger = _sign_in(live_server, "admin", PASSWORD)
    assert stranger.status_code == 429 and "Retry-After" in stranger.headers
    response = _sign_in(live_server, "admin", PASSWORD, owner)
    assert response.status_code == 302, response.text
    account = owner.get(f"{live_server.url}/user/account", allow_redirects=False, timeout=30)
    assert account.status_code == 200 and admin.email in account.text


@pytest.fixture
def strict_app(settings, services):
    return create_app(
        settings.with_overrides(signin_limit_client="4/minute", mail_limit_client="6/hour"),
        services,
    )


def test_one_client_is_limited_across_accounts(services, strict_app):
    client = strict_app.test_client()
    for n in range(6):
        make_user(services, name=f"nguoi-dung-{n}")
    codes = []
    for n in range(6):
        token = csrf_from(client, "/user/login")
        codes.append(
            client.post(
                "/user/login",
                data={"login": f"nguoi-dung-{n}", "password": "wrong 12345", "csrf_token": token},
            ).status_code
        )
    assert codes == [401, 401, 401, 401, 429, 429]


def _mails(services) -> list[Path]:
    folder = Path(services.settings.data_dir) / "logs" / "mail"
    return sorted(folder.glob("*.eml")) if folder.is_dir() else []


def test_password_reset_mails_are_limited_per_address(services, client):
    user = make_user(services, name="hoa-mai")
    codes = [
        client.post(
            "/user/reset",
            data={"email": user.email, "csrf_token": csrf_from(client, "/user/reset")},
        ).status_code
        for _ in range(20)
    ]
    assert len(_mails(services)) == 3  # OPENDATA_MAIL_LIMIT_ADDRESS: 3/hour
    assert codes[:3] == [200, 200, 200] and set(codes[3:]) == {429}


def test_registration_mails_are_limited_per_client(services, strict_app):
    client = strict_app.test_client()
    codes = []
    for n in range(10):
        token = csrf_from(client, "/user/register")
        codes.append(
            client.post(
                "/user/register",
                data={
                    "name": f"dang-ky-{n}",
                    "email": f"dang-ky-{n}@example.org",
                    "password": PASSWORD,
                    "password2": PASSWORD,
                    "csrf_token": token,
                },
            ).status_code
        )
    assert codes.count(200) == 6 and codes[6:] == [429] * 4
    assert len(_mails(services)) == 6


def test_concurrent_guesses_are_counted_atomically_in_redis_too(settings):
    """The same bound when the counters live in Redis (``REDIS_URL``, several servers)."""
    import redis

    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/0", socket_timeout=2).ping()
    except redis.RedisError:
        if __import__("os").environ.get("CI") == "true":
            raise
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    from limits.storage import RedisStorage

    from app.services import build_services

    on_redis = settings.with_overrides(
        redis_url="redis://127.0.0.1:6379/0", signin_limit_client="0"
    )
    services = build_services(on_redis)
    app = create_app(on_redis, services)
    assert isinstance(services.rate_limits.storage, RedisStorage)
    target = make_user(services)  # a new account id: its counters are new in Redis
    server = LiveServer(app)
    server.start()
    try:
        browsers = [_browser(server) for _ in range(12)]

        def guess(pair):
            browser, token = pair
            return browser.post(
                f"{server.url}/user/login",
                data={"login": target.name, "password": "wrong guess 123", "csrf_token": token},
                allow_redirects=False,
                timeout=60,
            ).status_code

        with ThreadPoolExecutor(max_workers=12) as pool:
            codes = list(pool.map(guess, browsers))
    finally:
        server.stop()
        services.engine.dispose()
    assert codes.count(401) == 5 and codes.count(429) == 7
