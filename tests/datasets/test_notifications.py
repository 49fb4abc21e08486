"""Workflow e-mails: to the stewards on submission, to the submitter on approval/rejection.

Delivered for real to a local SMTP server (aiosmtpd on 127.0.0.1), and with the default
file mailer.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from app.services import build_services
from datasets.notifications import Notifier
from publishers import FileMailer, Role, SmtpMailer
from tests.factories import SAMPLE_CSV, actor, make_dataset, make_org, make_user, upload_bytes


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 OK"


@pytest.fixture
def smtp_inbox() -> Iterator[tuple[_Inbox, int]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def _people(services):
    org = make_org(services)
    publisher = make_user(services, org, Role.PUBLISHER, name="lan-notify")
    steward = make_user(services, org, Role.STEWARD, name="minh-notify")
    return org, publisher, steward


def test_submission_rejection_and_approval_are_mailed_over_smtp(services, smtp_inbox) -> None:
    inbox, port = smtp_inbox
    mailer = SmtpMailer(f"smtp://127.0.0.1:{port}")
    services.workflow.add_listener(
        Notifier(
            services.sessions, services.accounts, mailer, "http://portal.example"
        ).on_transition
    )
    org, publisher_info, steward_info = _people(services)
    publisher, steward = actor(services, publisher_info), actor(services, steward_info)
    dataset = make_dataset(services, publisher, org, title="Trạm sạc xe điện")
    upload_bytes(services, publisher, dataset.name, SAMPLE_CSV)

    services.workflow.submit(publisher, dataset.name)
    services.workflow.reject(steward, dataset.name, "Thiếu mô tả cột so_cho")
    services.workflow.submit(publisher, dataset.name)
    services.workflow.approve(steward, dataset.name)

    got = [(m["X-Envelope-To"], str(m["Subject"])) for m in inbox.messages]
    assert got == [
        ("minh-notify@example.org", "Chờ duyệt / Waiting for review: Trạm sạc xe điện"),
        ("lan-notify@example.org", "Bị trả lại / Rejected: Trạm sạc xe điện"),
        ("minh-notify@example.org", "Chờ duyệt / Waiting for review: Trạm sạc xe điện"),
        ("lan-notify@example.org", "Đã duyệt / Approved: Trạm sạc xe điện"),
    ]
    rejection = inbox.messages[1].get_content()
    assert "Thiếu mô tả cột so_cho" in rejection
    assert f"http://portal.example/dataset/{dataset.name}/manage" in rejection


def test_default_file_mailer_writes_the_notifications(services) -> None:
    assert isinstance(services.mailer, FileMailer)
    org, publisher_info, steward_info = _people(services)
    publisher, steward = actor(services, publisher_info), actor(services, steward_info)
    dataset = make_dataset(services, publisher, org, title="Điểm thu gom rác")
    upload_bytes(services, publisher, dataset.name, SAMPLE_CSV)
    services.workflow.submit(publisher, dataset.name)
    services.workflow.approve(steward, dataset.name)
    messages = services.mailer.messages()
    assert [(m["To"], str(m["Subject"])) for m in messages] == [
        ("minh-notify@example.org", "Chờ duyệt / Waiting for review: Điểm thu gom rác"),
        ("lan-notify@example.org", "Đã duyệt / Approved: Điểm thu gom rác"),
    ]


def test_a_failing_mail_server_does_not_undo_the_transition(settings) -> None:
    import dataclasses

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens there
    services = build_services(dataclasses.replace(settings, smtp_url=f"smtp://127.0.0.1:{port}"))
    try:
        org, publisher_info, _steward = _people(services)
        publisher = actor(services, publisher_info)
        dataset = make_dataset(services, publisher, org)
        upload_bytes(services, publisher, dataset.name, SAMPLE_CSV)
        assert services.workflow.submit(publisher, dataset.name).state == "submitted"
    finally:
        services.engine.dispose()
