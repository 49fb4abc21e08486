"""Data requests (issue 21): asking, throttling, votes, answers, mail, privacy, the list."""

from __future__ import annotations

import pytest

from datasets.data_requests import (
    THROTTLE_COUNT,
    NewRequest,
    RequestStatus,
    TooManyDataRequests,
)
from publishers import ANONYMOUS, InvalidInput, NotFound, PermissionDenied, Role
from tests.factories import actor, make_org, make_user, publish_sample

SECRET_EMAIL = "nguoi.hoi.bi.mat@example.org"


def _ask(services, who=ANONYMOUS, client="client-a", **fields):
    fields.setdefault("title", "Vị trí trạm sạc xe điện")
    if who.is_anonymous:
        fields.setdefault("contact_email", SECRET_EMAIL)
    return services.data_requests.ask(who, NewRequest(**fields), client)


def test_anonymous_request_needs_an_email_that_is_never_in_the_view(services) -> None:
    with pytest.raises(InvalidInput) as missing:
        services.data_requests.ask(ANONYMOUS, NewRequest(title="Trạm sạc"), "c")
    assert missing.value.errors == {"contact_email": ["required"]}
    with pytest.raises(InvalidInput) as bad:
        services.data_requests.ask(
            ANONYMOUS, NewRequest(title="x" * 201, contact_email="khong-phai-thu"), "c"
        )
    assert bad.value.errors == {"title": ["too_long"], "contact_email": ["invalid_email"]}
    view = _ask(services, description="Cần cho ứng dụng bản đồ", show_name=True)
    assert view.status is RequestStatus.OPEN and view.requester is None
    assert SECRET_EMAIL not in repr(view) and SECRET_EMAIL not in str(view.to_json())
    assert [e.status for e in view.history] == [RequestStatus.OPEN]
    with services.engine.connect() as conn:  # encrypted at rest too
        stored = conn.exec_driver_sql("SELECT contact_email FROM data_requests").scalar_one()
    assert SECRET_EMAIL not in stored and stored


def test_signed_in_requester_shows_their_name_only_when_they_choose(services) -> None:
    org = make_org(services)
    citizen = actor(services, make_user(services, name="ban_an"))
    hidden = _ask(services, citizen, title="Lịch thu gom rác", organization=org.name)
    shown = _ask(services, citizen, title="Giờ mở cửa thư viện", show_name=True)
    assert hidden.requester is None and hidden.organization == org.name
    assert shown.requester == "ban_an"
    with pytest.raises(InvalidInput) as unknown:
        _ask(services, citizen, organization="khong-co-so-nay")
    assert unknown.value.errors == {"organization": ["unknown_organization"]}


def test_asking_is_throttled_per_client(services) -> None:
    for n in range(THROTTLE_COUNT):
        _ask(services, title=f"Yêu cầu {n}")
    with pytest.raises(TooManyDataRequests):
        _ask(services, title="Thêm một yêu cầu")
    assert _ask(services, client="client-b").status is RequestStatus.OPEN
    assert services.data_requests.page().total == THROTTLE_COUNT + 1


def test_one_vote_per_account_and_per_anonymous_client(services) -> None:
    request_id = _ask(services).id
    citizen = actor(services, make_user(services))
    votes = services.data_requests
    assert votes.vote(ANONYMOUS, request_id, "client-x") is True
    assert votes.vote(ANONYMOUS, request_id, "client-x") is False
    assert votes.vote(ANONYMOUS, request_id, "client-y") is True
    assert votes.vote(citizen, request_id, "client-x") is True
    assert votes.vote(citizen, request_id, "client-z") is False
    assert votes.get(ANONYMOUS, request_id).votes == 3
    with pytest.raises(NotFound):
        votes.vote(ANONYMOUS, "khong-co", "client-x")


def test_only_stewards_of_the_asked_organization_answer(services) -> None:
    org, other = make_org(services), make_org(services)
    steward = actor(services, make_user(services, org, Role.STEWARD))
    publisher = actor(services, make_user(services, org, Role.PUBLISHER))
    outsider = actor(services, make_user(services, other, Role.STEWARD))
    admin = actor(services, make_user(services, sysadmin=True))
    request_id = _ask(services, organization=org.name).id
    for who in (publisher, outsider, admin, ANONYMOUS):
        with pytest.raises(PermissionDenied):
            services.data_requests.answer(who, request_id, "planned", "Quý sau")
    view = services.data_requests.answer(steward, request_id, "planned", "Dự kiến quý 3")
    assert view.status is RequestStatus.PLANNED and view.answer == "Dự kiến quý 3"
    assert [e.status for e in view.history] == [RequestStatus.OPEN, RequestStatus.PLANNED]
    assert services.data_requests.open_for(steward) == []
    # A request that names no organization: any organization's steward answers.
    loose = _ask(services, client="client-b").id
    assert [r.id for r in services.data_requests.open_for(outsider)] == [loose]
    assert services.data_requests.answer(outsider, loose, "answered", "Đã có ở sở khác").answer


def test_declining_needs_a_reason_and_the_requester_is_mailed(services) -> None:
    org = make_org(services)
    steward = actor(services, make_user(services, org, Role.STEWARD))
    request_id = _ask(services, organization=org.name).id
    with pytest.raises(InvalidInput) as no_reason:
        services.data_requests.answer(steward, request_id, "declined", "  ")
    assert no_reason.value.errors == {"note": ["reason_required"]}
    with pytest.raises(InvalidInput):
        services.data_requests.answer(steward, request_id, "open", "")
    assert services.mailer.messages() == []
    view = services.data_requests.answer(
        steward, request_id, "declined", "Dữ liệu có thông tin cá nhân"
    )
    assert view.status is RequestStatus.DECLINED
    mails = services.mailer.messages()
    assert len(mails) == 1 and mails[0]["To"] == SECRET_EMAIL
    body = mails[0].get_content()
    assert "Từ chối" in body and "Dữ liệu có thông tin cá nhân" in body
    assert f"/requests/{request_id}" in body


def test_publishing_links_a_published_dataset(services) -> None:
    dataset, _r, _publisher, steward = publish_sample(services)
    citizen_info = make_user(services)
    citizen = actor(services, citizen_info)
    request_id = _ask(services, citizen, organization=dataset.organization_id).id
    with pytest.raises(InvalidInput) as unknown:
        services.data_requests.answer(steward, request_id, "published", "", "khong-co")
    assert unknown.value.errors == {"dataset": ["unknown_dataset"]}
    view = services.data_requests.answer(steward, request_id, "published", "", dataset.name)
    assert view.status is RequestStatus.PUBLISHED and view.dataset == dataset.name
    assert view.dataset_title == "Trạm dừng xe buýt giao thông"
    mail = services.mailer.messages()[-1]
    assert mail["To"] == citizen_info.email and f"/dataset/{dataset.name}" in mail.get_content()
    # A withdrawn dataset is no longer linked.
    services.workflow.withdraw(steward, dataset.name, "lý do")
    assert services.data_requests.get(ANONYMOUS, request_id).dataset is None


def test_list_filters_by_status_words_and_organization(services) -> None:
    org = make_org(services)
    steward = actor(services, make_user(services, org, Role.STEWARD))
    first = _ask(services, title="Trạm sạc xe điện", organization=org.name).id
    _ask(services, title="Lịch thu gom rác", description="Theo từng phường", client="b")
    services.data_requests.answer(steward, first, "planned", "Sắp có")
    listing = services.data_requests
    assert [r.title for r in listing.page(status="planned").items] == ["Trạm sạc xe điện"]
    assert [r.title for r in listing.page(text="tram SAC").items] == ["Trạm sạc xe điện"]
    assert [r.title for r in listing.page(text="phuong rác").items] == ["Lịch thu gom rác"]
    assert listing.page(text="100%_").total == 0
    assert [r.id for r in listing.page(organization=org.name).items] == [first]
    assert listing.page(organization="khong-co").total == 0
    with pytest.raises(InvalidInput):
        listing.page(status="bogus")
    with pytest.raises(InvalidInput):
        listing.page(text="x" * 201)
    page = listing.page(per_page=1, page=2)
    assert page.total == 2 and page.pages == 2 and len(page.items) == 1


def test_sysadmins_hide_spam(services) -> None:
    admin = actor(services, make_user(services, sysadmin=True))
    steward = actor(services, make_user(services, make_org(services), Role.STEWARD))
    spam = _ask(services, title="Mua thuốc giá rẻ").id
    with pytest.raises(PermissionDenied):
        services.data_requests.hide(steward, spam)
    services.data_requests.hide(admin, spam)
    assert services.data_requests.page().total == 0
    with pytest.raises(NotFound):
        services.data_requests.get(ANONYMOUS, spam)
    assert services.data_requests.get(admin, spam).hidden
    assert services.data_requests.open_for(steward) == []
