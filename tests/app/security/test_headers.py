"""Security headers on HTML pages; the trusted reverse proxy setting."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app import create_app
from tests.conftest import csrf_from
from tests.factories import PASSWORD, make_user, publish_sample

TEMPLATES = Path(__file__).resolve().parents[3] / "app" / "templates"
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)


def _assert_protected(response) -> None:
    policy = response.headers.get("Content-Security-Policy", "")
    directives = dict(
        [*part.strip().split(" ", 1), ""][:2] for part in policy.split(";") if part.strip()
    )
    assert directives.get("frame-ancestors") == "'none'", policy
    assert directives.get("script-src") == "'self'", policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def _assert_no_inline_script(html: str) -> None:
    assert not INLINE_HANDLER.search(html), INLINE_HANDLER.search(html)
    for attributes in SCRIPT_TAG.findall(html):
        assert "src=" in attributes or "application/ld+json" in attributes, attributes


def test_public_and_staff_pages_carry_the_security_headers(services, client, auth):
    dataset, _rid, _publisher, _steward = publish_sample(services)
    pages = ["/", "/dataset", f"/dataset/{dataset.name}", "/user/login", "/api/v1/docs"]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        _assert_protected(response)
        _assert_no_inline_script(response.get_data(as_text=True))
    admin = make_user(services, sysadmin=True)
    auth.login(admin.name, PASSWORD)
    for path in ["/review", "/admin/users", f"/dataset/{dataset.name}/manage"]:
        response = client.get(path)
        assert response.status_code == 200, path
        _assert_protected(response)
        _assert_no_inline_script(response.get_data(as_text=True))
    assert "Strict-Transport-Security" not in client.get("/").headers


def test_no_template_has_inline_script_or_handlers():
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert not INLINE_HANDLER.search(text), template
        for attributes in SCRIPT_TAG.findall(text):
            assert "src=" in attributes or "application/ld+json" in attributes, template


def test_hsts_when_the_site_is_https(settings, services):
    app = create_app(settings.with_overrides(site_url="https://data.tphcm.gov.vn"), services)
    response = app.test_client().get("/")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def _attempts(app, forwarded_for: str, count: int) -> list[int]:
    client = app.test_client()
    codes = []
    for _ in range(count):
        token = csrf_from(client, "/user/login")
        response = client.post(
            "/user/login",
            data={"login": "nobody", "password": "wrong 12345", "csrf_token": token},
            headers={"X-Forwarded-For": forwarded_for},
        )
        codes.append(response.status_code)
    return codes


@pytest.mark.parametrize(("hops", "second_client"), [(1, [401, 401]), (0, [429, 429])])
def test_forwarded_addresses_are_believed_only_from_trusted_proxies(
    settings, services, hops, second_client
):
    app = create_app(
        settings.with_overrides(
            trusted_proxies=hops, signin_limit_client="2/minute", signin_limit_account="0"
        ),
        services,
    )
    assert _attempts(app, "203.0.113.7", 3) == [401, 401, 429]
    assert _attempts(app, "198.51.100.20", 2) == second_client
