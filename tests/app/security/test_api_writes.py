"""Cross-site writes through the APIs: a session needs its CSRF token; JSON needs its type."""

from __future__ import annotations

import json

import pytest

from datasets.model import DatasetState
from publishers import Role
from tests.conftest import csrf_from
from tests.factories import PASSWORD, make_org, make_user, publish_sample


@pytest.fixture
def signed_in_steward(services, client, auth):
    dataset, _resource_id, _publisher, steward = publish_sample(services)
    user = services.accounts.get_user(steward.user_id)
    auth.login(user.name, PASSWORD)
    return dataset


def _dataset(services, name):
    from datasets.queries import get_dataset

    with services.sessions() as session:
        found = get_dataset(session, name)
        return found.state, found.working_revision.title_vi if found.working_revision else ""


def test_a_text_plain_body_from_another_site_withdraws_nothing(services, client, signed_in_steward):
    name = signed_in_steward.name
    response = client.post(
        "/api/3/action/package_delete",
        data=json.dumps({"id": name, "reason": "forged"}),
        headers={"Content-Type": "text/plain", "Origin": "https://evil.example"},
    )
    assert response.status_code == 415
    body = response.get_json()
    assert body["success"] is False and "application/json" in body["error"]["message"]
    assert _dataset(services, name)[0] == DatasetState.PUBLISHED.value


def test_a_session_json_write_without_the_csrf_token_is_refused(
    services, client, signed_in_steward
):
    name = signed_in_steward.name
    response = client.post(
        "/api/3/action/package_patch",
        json={"id": name, "title": "Forged title"},
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 403
    assert response.get_json()["error"]["__type"] == "Authorization Error"
    assert _dataset(services, name)[1] != "Forged title"
    deleted = client.post("/api/action/package_delete", json={"id": name})
    assert deleted.status_code == 403
    assert _dataset(services, name)[0] == DatasetState.PUBLISHED.value


def test_a_session_write_with_the_csrf_token_goes_through(services, client, signed_in_steward):
    name = signed_in_steward.name
    token = csrf_from(client, "/")
    response = client.post(
        "/api/3/action/package_patch",
        json={"id": name, "notes": "Mô tả mới"},
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["result"]["notes"] == "Mô tả mới"


def test_a_session_may_still_read_by_post_without_a_token(services, client, signed_in_steward):
    response = client.post("/api/3/action/package_show", json={"id": signed_in_steward.name})
    assert response.status_code == 200
    assert response.get_json()["result"]["name"] == signed_in_steward.name


def test_a_token_write_with_a_form_body_still_works(services, client):
    dataset, _rid, _publisher, steward = publish_sample(services)
    token = services.tokens.create(steward.user_id, "script")
    response = client.post(
        "/api/3/action/package_patch",
        data={"id": dataset.name, "notes": "Từ biểu mẫu"},
        headers={"Authorization": token},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["result"]["notes"] == "Từ biểu mẫu"


def test_rest_writes_take_json_only_with_its_content_type(services, client):
    org = make_org(services)
    user = make_user(services, org, Role.PUBLISHER)
    token = services.tokens.create(user.id, "script")
    body = json.dumps({"organization": org.name, "title": "Bộ dữ liệu"})
    refused = client.post(
        "/api/v1/datasets",
        data=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "text/plain"},
    )
    assert refused.status_code == 415
    assert refused.get_json()["error"]["code"] == "bad_request"
    assert "application/json" in refused.get_json()["error"]["message"]
    created = client.post(
        "/api/v1/datasets",
        data=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert created.status_code == 201, created.get_data(as_text=True)


def test_rest_session_writes_without_the_csrf_token_are_refused(services, client, auth):
    org = make_org(services)
    user = make_user(services, org, Role.PUBLISHER)
    auth.login(user.name, PASSWORD)
    response = client.post(
        "/api/v1/datasets",
        json={"organization": org.name, "title": "Bộ dữ liệu"},
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"
