"""Webhooks (issue 23) against a real receiver on 127.0.0.1: subscriptions through the REST
API, signed deliveries, retries with backoff, disabling with a mail, the audience rule."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from datasets.metadata_input import DatasetMetadata
from publishers import Role, Scope
from tests.app.api.conftest import bearer
from tests.app.api.webhook_receiver import Receiver, verify
from tests.app.web.sharing_fixtures import publish_restricted
from tests.factories import actor, make_user, publish_sample


@pytest.fixture
def settings(settings):
    # The receiver listens on 127.0.0.1 (refused by default); a one-second first backoff.
    return settings.with_overrides(
        webhook_allowed_hosts="127.0.0.1", webhook_retry_seconds=1, webhook_max_failures=4
    )


def _token(services, user) -> dict[str, str]:
    return bearer(services.tokens.create(user.id, "hooks", scope=Scope.READ))


def _subscribe(client, headers, url: str, **target: object) -> dict:
    response = client.post("/api/v1/webhooks", json={"url": url, **target}, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _republish(services, publisher, steward, name: str) -> None:
    services.editor.update_metadata(
        publisher,
        name,
        DatasetMetadata(title_vi="Trạm dừng xe buýt giao thông", description_vi="Bản mới."),
        expected_version=None,
    )
    services.workflow.submit(publisher, name)
    services.workflow.approve(steward, name, "Cập nhật")


def test_a_new_version_is_posted_signed_and_logged(services, client) -> None:
    dataset, _rid, publisher, steward = publish_sample(services)
    reader = make_user(services, name="hook-reader")
    headers = _token(services, reader)
    with Receiver([200], answer=b"thanks" * 100) as receiver:
        created = _subscribe(client, headers, receiver.url, dataset=dataset.name)
        secret = created["secret"]
        assert secret.startswith("whsec_") and created["events"] == [
            "published",
            "updated",
            "withdrawn",
        ]
        shown = client.get(f"/api/v1/webhooks/{created['id']}", headers=headers).get_json()
        assert "secret" not in shown and shown["dataset"] == dataset.name
        _republish(services, publisher, steward, dataset.name)
        services.workflow.withdraw(steward, dataset.name, "Dữ liệu sai")
    assert len(receiver.received) == 2
    first, second = receiver.received
    for got in receiver.received:
        assert got.path == "/hook"
        assert verify(secret, got.headers["X-Opendata-Signature"], got.body)
        assert not verify("whsec_wrong", got.headers["X-Opendata-Signature"], got.body)
        assert got.headers["Content-Type"].startswith("application/json")
    body = json.loads(first.body)
    assert first.headers["X-Opendata-Event"] == body["event"] == "updated"
    assert body["dataset"]["name"] == dataset.name and body["webhook"] == created["id"]
    assert body["dataset"]["url"].endswith(f"/api/v1/datasets/{dataset.name}")
    assert first.headers["X-Opendata-Delivery"] == body["id"]
    assert "Cập nhật" not in first.body.decode()  # no comment, no title, no data
    assert json.loads(second.body)["event"] == "withdrawn"
    log = client.get(f"/api/v1/webhooks/{created['id']}/deliveries", headers=headers).get_json()
    assert [(d["event"], d["status"], d["attempt"], d["response_code"]) for d in log["items"]] == [
        ("withdrawn", "delivered", 1, 200),
        ("updated", "delivered", 1, 200),
    ]
    assert all(len(d["excerpt"]) <= 200 and d["excerpt"].startswith("thanks") for d in log["items"])
    # Deleting stops deliveries and the log goes with it.
    assert client.delete(f"/api/v1/webhooks/{created['id']}", headers=headers).status_code == 204
    assert client.get(f"/api/v1/webhooks/{created['id']}", headers=headers).status_code == 404
    assert client.get("/api/v1/webhooks", headers=headers).get_json()["items"] == []


def test_failures_are_retried_with_a_doubling_backoff(services, client) -> None:
    dataset, _rid, publisher, steward = publish_sample(services)
    headers = _token(services, make_user(services, name="hook-retry"))
    with Receiver([500, 503, 200]) as receiver:
        created = _subscribe(client, headers, receiver.url, dataset=dataset.name)
        _republish(services, publisher, steward, dataset.name)
    assert len(receiver.received) == 3
    ids = {r.headers["X-Opendata-Delivery"] for r in receiver.received}
    assert len(ids) == 1  # one delivery, three attempts
    assert all(
        verify(created["secret"], r.headers["X-Opendata-Signature"], r.body)
        for r in receiver.received
    )
    log = client.get(f"/api/v1/webhooks/{created['id']}/deliveries", headers=headers).get_json()
    attempts = sorted(log["items"], key=lambda d: d["attempt"])
    assert [(d["attempt"], d["status"], d["response_code"], d["error"]) for d in attempts] == [
        (1, "failed", 500, "http_500"),
        (2, "failed", 503, "http_503"),
        (3, "delivered", 200, None),
    ]
    delays = [
        (
            datetime.fromisoformat(d["next_attempt"]) - datetime.fromisoformat(d["time"])
        ).total_seconds()
        for d in attempts[:2]
    ]
    assert [round(d) for d in delays] == [1, 2]  # OPENDATA_WEBHOOK_RETRY_SECONDS, doubled
    shown = client.get(f"/api/v1/webhooks/{created['id']}", headers=headers).get_json()
    assert shown["active"] is True and shown["failures"] == 0  # a success resets the count


def test_repeated_failures_disable_the_webhook_and_mail_its_owner(services, client) -> None:
    dataset, _rid, publisher, steward = publish_sample(services)
    owner = make_user(services, name="hook-owner")
    headers = _token(services, owner)
    with Receiver([500]) as receiver:
        created = _subscribe(client, headers, receiver.url, dataset=dataset.name)
        _republish(services, publisher, steward, dataset.name)
        assert len(receiver.received) == 4  # OPENDATA_WEBHOOK_MAX_FAILURES in a row
        services.workflow.withdraw(steward, dataset.name, "Sai")
        assert len(receiver.received) == 4  # disabled: nothing more
    shown = client.get(f"/api/v1/webhooks/{created['id']}", headers=headers).get_json()
    assert shown["active"] is False and shown["failures"] == 4 and shown["disabled"]
    log = client.get(f"/api/v1/webhooks/{created['id']}/deliveries", headers=headers).get_json()
    assert [d["status"] for d in sorted(log["items"], key=lambda d: d["attempt"])] == [
        "failed",
        "failed",
        "failed",
        "gave_up",
    ]
    mails = [m for m in services.mailer.messages() if owner.email in str(m["To"])]
    assert len(mails) == 1
    assert "Webhook disabled" in str(mails[0]["Subject"])
    assert receiver.url in mails[0].get_content()


def test_an_unreachable_receiver_is_a_logged_failure(services, client) -> None:
    dataset, _rid, publisher, steward = publish_sample(services)
    headers = _token(services, make_user(services, name="hook-closed"))
    with Receiver() as receiver:
        url = receiver.url
    created = _subscribe(client, headers, url, organization=dataset_org(services, dataset))
    _republish(services, publisher, steward, dataset.name)
    log = client.get(f"/api/v1/webhooks/{created['id']}/deliveries", headers=headers).get_json()
    assert log["items"] and all(d["response_code"] is None for d in log["items"])
    assert {d["error"] for d in log["items"]} <= {"connection", "timeout"}


def dataset_org(services, dataset) -> str:
    org = services.accounts.find_organization(dataset.organization_id)
    assert org is not None
    return org.name


def test_receivers_must_be_public_http_addresses_by_default(services, client, settings) -> None:
    from app import create_app
    from app.services import build_services

    strict = settings.with_overrides(webhook_allowed_hosts="")
    other = create_app(strict, build_services(strict)).test_client()
    dataset, *_ = publish_sample(services)
    headers = _token(services, make_user(services, name="hook-strict"))

    def refused(url: str, **more: object) -> list[str]:
        body = {"url": url, "dataset": dataset.name, **more}
        response = other.post("/api/v1/webhooks", json=body, headers=headers)
        assert response.status_code == 422, response.get_json()
        return [code for codes in response.get_json()["error"]["fields"].values() for code in codes]

    assert refused("http://127.0.0.1:9/hook") == ["private_address"]
    assert refused("http://10.1.2.3/hook") == ["private_address"]
    assert refused("http://[::1]/hook") == ["private_address"]
    assert refused("ftp://example.org/hook") == ["not_http"]
    assert refused("https://user:pw@example.org/hook") == ["credentials"]
    assert refused("https://no-such-host.invalid/hook") == ["unresolvable"]
    assert refused("https://93.184.215.14/hook", events=["deleted"]) == ["unknown_event"]
    assert refused("https://93.184.215.14/hook", organization="x") == ["dataset_or_organization"]
    assert other.post("/api/v1/webhooks", json={"url": "https://example.org"}).status_code == 401
    assert other.get("/api/v1/webhooks").status_code == 401


def test_a_dataset_outsiders_may_not_see_cannot_be_subscribed(services, client) -> None:
    from tests.factories import make_dataset, make_org

    org = make_org(services)
    publisher = actor(services, make_user(services, org, Role.PUBLISHER))
    draft = make_dataset(services, publisher, org)
    headers = _token(services, make_user(services, name="hook-outsider"))
    body = {"url": "http://127.0.0.1:9/hook", "dataset": draft.name}
    response = client.post("/api/v1/webhooks", json=body, headers=headers)
    assert response.status_code == 404  # the same answer as for a name never used


def test_events_of_a_restricted_dataset_reach_only_tokens_that_may_read_it(
    services, client
) -> None:
    shared = publish_restricted(services)
    business = _token(services, shared.business_info)
    steward = _token(services, shared.steward_info)
    with Receiver() as outsider_end, Receiver() as member_end:
        _subscribe(client, business, outsider_end.url, organization=shared.org.name)
        _subscribe(client, steward, member_end.url, organization=shared.org.name)
        services.workflow.withdraw(shared.steward, shared.name, "Hết hạn")
    assert outsider_end.received == []
    assert [json.loads(r.body)["event"] for r in member_end.received] == ["withdrawn"]


def test_a_revoked_token_stops_its_webhooks(services, client) -> None:
    dataset, _rid, publisher, steward = publish_sample(services)
    user = make_user(services, name="hook-revoked")
    headers = _token(services, user)
    with Receiver() as receiver:
        created = _subscribe(client, headers, receiver.url, dataset=dataset.name)
        services.tokens.revoke(user.id)
        _republish(services, publisher, steward, dataset.name)
    assert receiver.received == []
    (shown,) = services.webhooks.list_for(user.id)
    assert shown.id == created["id"] and shown.token_live is False
