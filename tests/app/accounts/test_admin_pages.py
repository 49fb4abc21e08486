"""Sysadmin and account pages: what they change, what they show, forged forms refused."""

from __future__ import annotations

import re

import pytest

from publishers import Role
from tests.conftest import csrf_from
from tests.factories import PASSWORD, make_org, make_user, publish_sample


@pytest.fixture
def admin(services, auth):
    info = make_user(services, sysadmin=True, name="quantri")
    auth.login("quantri", PASSWORD)
    return info


def _post(client, path: str, data: dict[str, str], token_page: str = "/user/account"):
    return client.post(path, data={**data, "csrf_token": csrf_from(client, token_page)})


def test_sysadmin_creates_and_edits_an_organization(client, services, admin) -> None:
    created = _post(
        client,
        "/admin/organizations",
        {
            "name": "so-tai-chinh",
            "title": "Sở Tài chính",
            "title_en": "Finance",
            "email": "stc@tphcm.example",
        },
    )
    assert created.status_code == 302
    assert "Sở Tài chính" in client.get("/admin/organizations").get_data(as_text=True)
    bad = _post(client, "/admin/organizations", {"name": "Bad Name!", "title": "X"})
    assert bad.status_code == 422 and 'value="Bad Name!"' in bad.get_data(as_text=True)
    edited = _post(
        client,
        "/admin/organizations/so-tai-chinh",
        {
            "title": "Sở Tài chính TP.HCM",
            "title_en": "Finance",
            "description": "Ngân sách",
            "email": "hop-thu@tphcm.example",
        },
    )
    assert edited.status_code == 302
    org = services.accounts.get_organization("so-tai-chinh")
    assert (org.title, org.email) == ("Sở Tài chính TP.HCM", "hop-thu@tphcm.example")
    audit = client.get("/admin/audit?action=organization.").get_data(as_text=True)
    assert "organization.create" in audit and "organization.update" in audit and "quantri" in audit


def test_deactivating_a_user_ends_their_session_and_revokes_tokens(
    app, client, services, admin
) -> None:
    victim = make_user(services, name="nhan-vien")
    token = services.tokens.create(victim.id, "script")
    other = app.test_client()
    from tests.conftest import AuthActions

    AuthActions(other).login("nhan-vien", PASSWORD)
    assert other.get("/user/account").status_code == 200
    done = _post(client, f"/admin/users/{victim.id}/active", {"value": "0"})
    assert done.status_code == 302
    assert other.get("/user/account").status_code == 302  # signed out everywhere
    from publishers import Unauthenticated

    with pytest.raises(Unauthenticated):
        services.tokens.verify(token)
    page = client.get("/admin/users?q=nhan-vien").get_data(as_text=True)
    assert "nhan-vien" in page and "Kích hoạt lại" in page


def test_sysadmin_grants_sysadmin_and_cannot_demote_themselves(client, services, admin) -> None:
    user = make_user(services, name="pho-quantri")
    _post(client, f"/admin/users/{user.id}/sysadmin", {"value": "1"})
    assert services.accounts.get_user(user.id).is_sysadmin
    refused = _post(client, f"/admin/users/{admin.id}/sysadmin", {"value": "0"})
    assert refused.status_code == 303 and services.accounts.get_user(admin.id).is_sysadmin


def test_site_content_about_page_and_featured_datasets(client, services, admin) -> None:
    dataset, *_ = publish_sample(services, title="Trạm sạc xe điện")
    saved = _post(
        client,
        "/admin/site",
        {
            "title_vi": "Cổng dữ liệu mở TP.HCM",
            "title_en": "HCMC Open Data",
            "about_vi": "Cổng dữ liệu do Sở Thông tin vận hành.",
            "about_en": "Run by the Department of Information.",
            "featured": f"{dataset.name}\nkhong-ton-tai",
        },
    )
    assert saved.status_code == 302
    assert "Cổng dữ liệu do Sở Thông tin vận hành." in client.get("/about").get_data(as_text=True)
    client.get("/lang/en")
    assert "Run by the Department of Information." in client.get("/about").get_data(as_text=True)
    home = client.get("/").get_data(as_text=True)
    assert "HCMC Open Data" in home and "Trạm sạc xe điện" in home
    bad = _post(client, "/admin/site", {"featured": "Not A Name"})
    assert bad.status_code == 422


def test_terms_privacy_and_contact_pages_are_linked_and_editable(client, admin) -> None:
    # Seen by a citizen: /about and the API docs were linked from nowhere; no terms, privacy
    # or contact page existed.
    home = client.get("/").get_data(as_text=True)
    for path in ("/about", "/terms", "/privacy", "/contact", "/api/v1/docs"):
        assert f'href="{path}"' in home, path
    privacy = client.get("/privacy").get_data(as_text=True)
    assert "Quyền riêng tư" in privacy and "Cổng không dùng cookie theo dõi" in privacy
    assert "hộp thư của cơ quan công bố" in client.get("/contact").get_data(as_text=True)
    saved = _post(
        client,
        "/admin/site",
        {
            "terms_vi": "Dữ liệu dùng theo giấy phép ghi ở từng bộ.\n\nGhi nguồn: Sở TT&TT.",
            "terms_en": "Use the data under each dataset's licence.",
        },
    )
    assert saved.status_code == 302
    terms = client.get("/terms").get_data(as_text=True)
    assert "<p>Dữ liệu dùng theo giấy phép ghi ở từng bộ.</p>" in terms
    assert "<p>Ghi nguồn: Sở TT&amp;TT.</p>" in terms  # escaped, never markup
    client.get("/lang/en")
    assert "Use the data under each dataset&#39;s licence." in client.get("/terms").get_data(
        as_text=True
    )
    assert "No file is published before it is checked" in client.get("/privacy").get_data(
        as_text=True
    )
    too_long = _post(client, "/admin/site", {"contact_vi": "x" * 20_001})
    assert too_long.status_code == 422


def test_the_citys_colour_is_settable_and_stays_readable(client, admin) -> None:
    assert client.get("/brand.css").get_data(as_text=True) == ""  # the built-in colour
    assert 'href="/brand.css"' in client.get("/").get_data(as_text=True)
    assert _post(client, "/admin/site", {"brand_color": "#a31515"}).status_code == 302
    css = client.get("/brand.css")
    assert css.mimetype == "text/css"
    assert css.get_data(as_text=True) == ":root { --accent:#a31515; --accent-dark:#821010; }\n"
    light = _post(client, "/admin/site", {"brand_color": "#ffe680"})
    assert light.status_code == 422 and "Màu này quá sáng" in light.get_data(as_text=True)
    word = _post(client, "/admin/site", {"brand_color": "đỏ"})
    assert word.status_code == 422 and "sáu chữ số thập lục phân" in word.get_data(as_text=True)
    assert "#a31515" in client.get("/brand.css").get_data(as_text=True)  # unchanged


def test_theme_is_saved_from_the_site_page(client, services, admin) -> None:
    _post(
        client,
        "/admin/themes",
        {
            "name": "giao-thong",
            "title_vi": "Giao thông",
            "title_en": "Transport",
            "eu_theme": "TRAN",
        },
    )
    assert "giao-thong" in {t.name for t in services.catalog.themes()}


def test_steward_manages_members_of_their_organization(client, auth, services) -> None:
    org = make_org(services)
    make_user(services, org, Role.STEWARD, name="truong-phong")
    newcomer = make_user(services, name="chuyen-vien")
    auth.login("truong-phong", PASSWORD)
    path = f"/organization/{org.name}/members"
    added = _post(client, path, {"user": "chuyen-vien@example.org", "role": "publisher"})
    assert added.status_code == 302
    assert "chuyen-vien" in client.get(path).get_data(as_text=True)
    unknown = _post(client, path, {"user": "khong-co", "role": "publisher"})
    assert unknown.status_code == 422
    _post(client, f"{path}/{newcomer.id}/remove", {})
    assert services.accounts.actor_for(newcomer.id).roles == {}


def test_account_page_creates_lists_and_revokes_tokens(client, auth, services) -> None:
    user = make_user(services, name="lap-trinh")
    auth.login("lap-trinh", PASSWORD)
    created = _post(
        client, "/user/account/tokens", {"name": "đồng bộ", "scope": "read", "expires_days": "30"}
    )
    assert created.status_code == 201 and created.headers["Cache-Control"] == "no-store"
    token = re.search(r"odp_[A-Za-z0-9_-]+", created.get_data(as_text=True)).group(0)
    assert services.tokens.verify(token).user_id == user.id
    listing = client.get("/user/account").get_data(as_text=True)
    assert "đồng bộ" in listing and token[:10] in listing and token not in listing  # shown once
    row = services.tokens.list_for(user.id)[0]
    _post(client, f"/user/account/tokens/{row.id}/revoke", {})
    from publishers import Unauthenticated

    with pytest.raises(Unauthenticated):
        services.tokens.verify(token)
    bad = _post(client, "/user/account/tokens", {"name": "x", "expires_days": "soon"})
    assert bad.status_code == 422


FORMS = [
    ("/admin/organizations", {"name": "so-gia", "title": "Giả"}),
    ("/admin/organizations/{org}", {"title": "Giả"}),
    ("/admin/users", {"name": "gia", "email": "gia@example.org", "password": PASSWORD}),
    ("/admin/users/{user}/sysadmin", {"value": "1"}),
    ("/admin/users/{user}/active", {"value": "0"}),
    ("/admin/site", {"title_vi": "Giả mạo"}),
    ("/admin/themes", {"name": "gia", "title_vi": "Giả"}),
    ("/organization/{org}/members", {"user": "gia", "role": "steward"}),
    ("/organization/{org}/members/{user}/remove", {}),
    ("/organization/{org}/policy", {"action-phone": "keep"}),
    ("/user/account/tokens", {"name": "gia"}),
    ("/user/account/tokens/x/revoke", {}),
    ("/user/verify/resend", {}),
    ("/user/register", {"name": "gia", "email": "gia@example.org"}),
    ("/user/reset", {"email": "gia@example.org"}),
    ("/user/reset/abc", {"password": PASSWORD, "password2": PASSWORD}),
    ("/user/login", {"login": "quantri", "password": PASSWORD}),
]


@pytest.mark.parametrize(("path", "data"), FORMS)
def test_forged_csrf_token_is_refused_on_every_form(client, services, admin, path, data) -> None:
    org = make_org(services)
    user = make_user(services, org, Role.PUBLISHER)
    target = path.format(org=org.name, user=user.id)
    forged = client.post(target, data={**data, "csrf_token": "forged-token"})
    assert forged.status_code == 400
    assert "Form expired" in forged.get_data(as_text=True) or "Biểu mẫu" in forged.get_data(
        as_text=True
    )
    assert services.accounts.find_organization("so-gia") is None
    assert (
        services.accounts.get_user(user.id).is_active
        and not services.accounts.get_user(user.id).is_sysadmin
    )


def test_session_cookie_flags(settings, services) -> None:
    from app import create_app

    secure = create_app(settings.with_overrides(site_url="https://data.tphcm.example"), services)
    make_user(services, name="cookie")
    client = secure.test_client()
    token = csrf_from(client, "/user/login")
    response = client.post(
        "/user/login", data={"login": "cookie", "password": PASSWORD, "csrf_token": token}
    )
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=Lax" in cookie
