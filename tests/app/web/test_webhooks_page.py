"""The account page's webhooks (issue 23): add, list, deliveries, delete."""

from __future__ import annotations

import json
import re

import pytest

from datasets.metadata_input import DatasetMetadata
from tests.app.api.webhook_receiver import Receiver, verify
from tests.conftest import csrf_from
from tests.factories import PASSWORD, make_user, publish_sample


@pytest.fixture
def settings(settings):
    return settings.with_overrides(webhook_allowed_hosts="127.0.0.1", webhook_retry_seconds=1)


def test_webhooks_on_the_account_page(services, client, auth) -> None:
    dataset, _rid, publisher, steward = publish_sample(services)
    user = make_user(services, name="hook-page")
    services.tokens.create(user.id, "tich-hop")
    token_id = services.tokens.list_for(user.id)[0].id
    assert auth.login(user.name, PASSWORD).status_code == 302
    page = client.get("/user/account").get_data(as_text=True)
    assert page.index("</title>") < page.index('id="webhooks"')  # in the page's body
    with Receiver() as receiver:
        form = {
            "csrf_token": csrf_from(client, "/user/account"),
            "url": "ftp://example.org/x",
            "target_kind": "dataset",
            "target": dataset.name,
            "events": ["updated"],
            "token_id": token_id,
        }
        refused = client.post("/user/account/webhooks", data=form)
        assert refused.status_code == 422
        assert "http://" in refused.get_data(as_text=True)  # the sentence, not the code
        created = client.post("/user/account/webhooks", data=form | {"url": receiver.url})
        assert created.status_code == 201
        html = created.get_data(as_text=True)
        secret = re.search(r'<code id="new-secret">(whsec_[^<]+)</code>', html)
        assert secret is not None
        assert f"<code>{receiver.url}</code>" in html
        page = client.get("/user/account").get_data(as_text=True)
        assert secret.group(1) not in page  # shown once
        services.editor.update_metadata(
            publisher,
            dataset.name,
            DatasetMetadata(title_vi="Trạm dừng xe buýt giao thông", description_vi="Mới."),
            expected_version=None,
        )
        services.workflow.submit(publisher, dataset.name)
        services.workflow.approve(steward, dataset.name)
    assert len(receiver.received) == 1
    got = receiver.received[0]
    assert verify(secret.group(1), got.headers["X-Opendata-Signature"], got.body)
    assert json.loads(got.body)["event"] == "updated"
    webhook_id = services.webhooks.list_for(user.id)[0].id
    log = client.get(f"/user/account/webhooks/{webhook_id}")
    assert log.status_code == 200
    assert '<tr data-status="delivered">' in log.get_data(as_text=True)
    other = make_user(services, name="hook-page-other")
    auth.logout()
    assert auth.login(other.name, PASSWORD).status_code == 302
    assert client.get(f"/user/account/webhooks/{webhook_id}").status_code == 404
    auth.logout()
    assert auth.login(user.name, PASSWORD).status_code == 302
    deleted = client.post(
        f"/user/account/webhooks/{webhook_id}/delete",
        data={"csrf_token": csrf_from(client, "/user/account")},
    )
    assert deleted.status_code == 302
    assert services.webhooks.list_for(user.id) == []
    assert f"<code>{receiver.url}</code>" not in client.get("/user/account").get_data(as_text=True)
