"""OpenID Connect single sign-on against a real provider (oidc-provider) on 127.0.0.1.

The portal runs on a real socket; a browser-like requests session follows the whole
authorization-code flow: portal → provider's sign-in page → provider → portal callback.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape
from typing import Any
from urllib.parse import urljoin

import pytest
import requests

from tests.app.accounts.oidc_provider import oidc_provider
from tests.servers import LiveServer

ACCOUNTS: dict[str, dict[str, object]] = {
    "an": {"email": "an.nguyen@tphcm.example", "email_verified": True, "name": "Nguyễn An"},
    "binh": {"email": "binh.tran@tphcm.example", "email_verified": False, "name": "Trần Bình"},
}


@dataclass
class Portal:
    url: str
    services: Any


@pytest.fixture
def sso_portal(settings) -> Iterator[Portal]:
    from app import create_app
    from app.services import build_services

    holder: dict[str, Any] = {}
    server = LiveServer(lambda environ, start: holder["app"](environ, start))
    callback = f"{server.url}/user/oidc/callback"
    with oidc_provider("portal", "portal-secret-for-tests", callback, ACCOUNTS) as issuer:
        sso_settings = settings.with_overrides(
            oidc_issuer=issuer,
            oidc_client_id="portal",
            oidc_client_secret="portal-secret-for-tests",
            site_url=server.url,
        )
        services = build_services(sso_settings)
        holder["app"] = create_app(sso_settings, services)
        server.start()
        try:
            yield Portal(server.url, services)
        finally:
            server.stop()
            services.engine.dispose()


def _sign_in(portal: Portal, login: str) -> requests.Response:
    """Start at the portal, sign in on the provider's page, follow back to the portal."""
    browser = requests.Session()
    page = browser.get(f"{portal.url}/user/oidc/login?next=/user/account", timeout=10)
    assert page.url.startswith(portal.url) is False, "the portal must send us to the provider"
    for _step in range(3):
        form = re.search(r'<form[^>]*action="([^"]+)"[^>]*method="post"', page.text)
        if form is None:
            return page
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
        if fields.get("prompt") == "login":
            fields.update(login=login, password="any password")
        page = browser.post(urljoin(page.url, unescape(form.group(1))), data=fields, timeout=10)
    return page


def test_verified_email_signs_in_and_creates_an_account_without_roles(sso_portal) -> None:
    page = _sign_in(sso_portal, "an")
    assert page.status_code == 200
    assert page.url == f"{sso_portal.url}/user/account"
    assert "an.nguyen@tphcm.example" in page.text
    user = sso_portal.services.accounts.get_user("an.nguyen@tphcm.example")
    assert user.email_verified and not user.is_sysadmin and user.full_name == "Nguyễn An"
    assert dict(sso_portal.services.accounts.actor_for(user.id).roles) == {}


def test_existing_account_is_matched_by_verified_email(sso_portal) -> None:
    from publishers import Role

    svc = sso_portal.services
    existing = svc.accounts.create_user("an-steward", "An.Nguyen@tphcm.example", None)
    org = svc.accounts.create_organization("so-gtvt", "Sở Giao thông Vận tải")
    svc.accounts.add_member(org.id, existing.id, Role.STEWARD)
    page = _sign_in(sso_portal, "an")
    assert page.url == f"{sso_portal.url}/user/account"
    assert "an-steward" in page.text  # the existing account, with its role
    assert svc.accounts.find_user("an-nguyen") is None


def test_unverified_email_is_refused_with_a_clear_message(sso_portal) -> None:
    page = _sign_in(sso_portal, "binh")
    assert page.status_code == 403
    assert "binh.tran@tphcm.example" not in page.text
    assert "e-mail" in page.text.lower()
    assert sso_portal.services.accounts.find_user("binh.tran@tphcm.example") is None


def test_callback_with_a_forged_state_signs_nobody_in(sso_portal) -> None:
    browser = requests.Session()
    browser.get(f"{sso_portal.url}/user/oidc/login", timeout=10)  # a real pending request
    forged = browser.get(
        f"{sso_portal.url}/user/oidc/callback?code=stolen&state=forged", timeout=10
    )
    assert forged.url.startswith(f"{sso_portal.url}/user/login")
    account = browser.get(f"{sso_portal.url}/user/account", timeout=10, allow_redirects=False)
    assert account.status_code == 302 and "/user/login" in account.headers["Location"]
