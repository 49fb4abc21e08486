"""Data request pages (issue 21): asking, the list, voting, answering, the review page."""

from __future__ import annotations

import html
import re

from publishers import Role
from tests.conftest import csrf_from
from tests.factories import PASSWORD, make_org, make_user, publish_sample

SECRET_EMAIL = "cong.dan.an.danh@example.org"


def _ask(client, **fields):
    token = csrf_from(client, "/requests/new")
    return client.post("/requests/new", data={"csrf_token": token, **fields})


def test_empty_search_and_footer_link_to_the_request_form(client) -> None:
    page = client.get("/dataset?q=tram sac xe dien").get_data(as_text=True)
    assert "Không tìm thấy? Yêu cầu dữ liệu" in page
    assert 'href="/requests/new?title=tram+sac+xe+dien"' in page
    assert 'href="/requests"' in page  # the footer
    form = client.get("/requests/new?title=tram sac xe dien").get_data(as_text=True)
    assert 'value="tram sac xe dien"' in form and "địa chỉ thư điện tử" in form.lower()


def test_anonymous_request_is_listed_without_the_email(services, client) -> None:
    org = make_org(services)
    forged = client.post("/requests/new", data={"title": "Trạm sạc"})
    assert forged.status_code == 400
    missing = _ask(client, title="Trạm sạc", organization=org.name)
    assert missing.status_code == 422
    assert "Trường này là bắt buộc" in missing.get_data(as_text=True)
    sent = _ask(
        client,
        title="Vị trí trạm sạc xe điện",
        description="Để làm bản đồ",
        organization=org.name,
        contact_email=SECRET_EMAIL,
    )
    assert sent.status_code == 303
    page = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "Vị trí trạm sạc xe điện" in page and "Đang chờ" in page and org.title in page
    listing = client.get("/requests").get_data(as_text=True)
    assert "Vị trí trạm sạc xe điện" in listing
    for path in ("/requests", sent.headers["Location"], "/requests?status=open&q=tram sac"):
        assert SECRET_EMAIL not in client.get(path).get_data(as_text=True)
    assert "Vị trí trạm sạc xe điện" not in client.get("/requests?status=planned").get_data(
        as_text=True
    )
    # I need this too: once per client.
    request_page = sent.headers["Location"]
    token = csrf_from(client, request_page)
    client.post(f"{request_page}/vote", data={"csrf_token": token})
    client.post(f"{request_page}/vote", data={"csrf_token": token})
    assert "1 người cần dữ liệu này" in client.get(request_page).get_data(as_text=True)


def test_form_is_throttled_per_client(client) -> None:
    for n in range(5):
        assert _ask(client, title=f"Yêu cầu {n}", contact_email=SECRET_EMAIL).status_code == 303
    throttled = _ask(client, title="Thêm", contact_email=SECRET_EMAIL)
    assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "3600"
    assert "Quá nhiều yêu cầu" in throttled.get_data(as_text=True)


def test_steward_sees_it_on_review_and_publishes_a_dataset(services, client, auth) -> None:
    dataset, _r, _p, steward = publish_sample(services)
    citizen = make_user(services)
    auth.login(citizen.name, PASSWORD)
    sent = _ask(
        client,
        title="Trạm dừng xe buýt",
        organization=dataset.organization_id,
        show_name="yes",
    )
    request_page = sent.headers["Location"]
    request_id = request_page.rsplit("/", 1)[1]
    assert citizen.name in client.get("/requests").get_data(as_text=True)
    assert "Lưu câu trả lời" not in client.get(request_page).get_data(as_text=True)
    auth.logout()

    outsider = make_user(services, make_org(services), Role.STEWARD)
    auth.login(outsider.name, PASSWORD)
    assert "Trạm dừng xe buýt" not in client.get("/review").get_data(as_text=True)
    token = csrf_from(client, request_page)
    refused = client.post(
        f"{request_page}/answer", data={"csrf_token": token, "status": "planned", "note": "x"}
    )
    assert refused.status_code == 403
    auth.logout()

    steward_user = services.accounts.find_user(steward.user_id)
    auth.login(steward_user.name, PASSWORD)
    review = client.get("/review").get_data(as_text=True)
    assert "Yêu cầu dữ liệu cần trả lời" in review and f"/requests/{request_id}" in review
    token = csrf_from(client, request_page)
    no_reason = client.post(
        f"{request_page}/answer", data={"csrf_token": token, "status": "declined", "note": ""}
    )
    assert no_reason.status_code == 422 and "lý do" in no_reason.get_data(as_text=True)
    client.post(
        f"{request_page}/answer",
        data={"csrf_token": token, "status": "published", "note": "Đã có", "dataset": dataset.name},
    )
    page = html.unescape(client.get(request_page).get_data(as_text=True))
    assert "Đã công bố" in page and f'href="/dataset/{dataset.name}"' in page
    assert "Trạm dừng xe buýt giao thông" in page
    assert f"/requests/{request_id}" not in client.get("/review").get_data(as_text=True)
    mail = services.mailer.messages()[-1]
    assert mail["To"] == citizen.email
    assert re.search(rf"/requests/{request_id}\b", mail.get_content())


def test_sysadmin_hides_spam_from_the_pages(services, client, auth) -> None:
    sent = _ask(client, title="Quảng cáo bán thuốc giá rẻ", contact_email=SECRET_EMAIL)
    request_page = sent.headers["Location"]
    token = csrf_from(client, request_page)
    assert client.post(f"{request_page}/hide", data={"csrf_token": token}).status_code == 403
    admin = make_user(services, sysadmin=True)
    auth.login(admin.name, PASSWORD)
    token = csrf_from(client, request_page)
    client.post(f"{request_page}/hide", data={"csrf_token": token, "hidden": "yes"})
    assert "đang bị ẩn" in client.get(request_page).get_data(as_text=True)
    auth.logout()
    assert "Quảng cáo bán thuốc" not in client.get("/requests").get_data(as_text=True)
    assert client.get(request_page).status_code == 404
