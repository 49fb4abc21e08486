"""Webhooks through a real job process (issue 23): the web side only queues; `opendata
worker` posts, and a failed attempt comes back after the backoff, scheduled by the queue."""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path

import pytest

from app.config import Settings
from app.services import build_services
from app.startup import prepare
from datasets.metadata_input import DatasetMetadata
from publishers import Scope
from tests.app.api.webhook_receiver import Receiver, verify
from tests.app.processes import environment, start, wait_until
from tests.factories import make_user, publish_sample


@pytest.mark.slow
def test_the_job_process_delivers_and_retries_after_the_backoff(
    settings: Settings, services, tmp_path: Path
) -> None:
    dataset, _rid, publisher, steward = publish_sample(services)  # inline, before the worker
    background = dataclasses.replace(
        settings,
        jobs_immediate=False,
        webhook_allowed_hosts="127.0.0.1",
        webhook_retry_seconds=2,
    )
    prepare(background)
    web = build_services(background)
    user = make_user(web, name="hook-worker")
    with Receiver([500, 200]) as receiver:
        created = web.webhooks.create(
            user.id,
            _token_id(web, user.id),
            receiver.url,
            dataset=dataset.name,
        )
        web.editor.update_metadata(
            publisher,
            dataset.name,
            DatasetMetadata(title_vi="Trạm dừng xe buýt giao thông", description_vi="Mới."),
            expected_version=None,
        )
        web.workflow.submit(publisher, dataset.name)
        web.workflow.approve(steward, dataset.name)
        time.sleep(1)
        assert receiver.received == []  # queued, never sent by the web side
        worker = start(
            ["worker"],
            environment(
                background,
                OPENDATA_WEBHOOK_ALLOWED_HOSTS="127.0.0.1",
                OPENDATA_WEBHOOK_RETRY_SECONDS="2",
            ),
            tmp_path / "worker.log",
        )
        try:
            assert wait_until(lambda: len(receiver.received) >= 2, 90), worker.text()[-3000:]
            assert worker.stop() == 0
        finally:
            worker.kill_group()
    first, second = receiver.received[:2]
    assert second.at - first.at >= 1.9  # the backoff, waited by the queue's schedule
    assert first.headers["X-Opendata-Delivery"] == second.headers["X-Opendata-Delivery"]
    for got in (first, second):
        assert verify(created.secret, got.headers["X-Opendata-Signature"], got.body)
    assert json.loads(second.body)["event"] == "updated"
    log = web.webhooks.deliveries(user.id, created.webhook.id)
    assert sorted((d.attempt, d.status, d.response_code) for d in log) == [
        (1, "failed", 500),
        (2, "delivered", 200),
    ]
    web.engine.dispose()


def _token_id(services, user_id: str) -> str:
    services.tokens.create(user_id, "worker", scope=Scope.READ)
    return services.tokens.list_for(user_id)[0].id
