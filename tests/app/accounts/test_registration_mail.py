"""Self-registration with e-mail verification and password reset, through a real SMTP server.

aiosmtpd listens on 127.0.0.1; the portal sends with ``OPENDATA_SMTP_URL`` pointing at it.
The tests read the delivered messages and follow their links.
"""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from tests.conftest import csrf_from
from tests.factories import PASSWORD, make_user

NEW_PASSWORD = "a brand new secret 42"


class Inbox:
    """aiosmtpd handler keeping every delivered message."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self._arrived = threading.Condition()

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self._arrived:
            self.messages.append(message)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self._arrived.notify_all()
        return "250 OK"

    def last_link(self) -> str:
        body = self.messages[-1].get_content()
        match = re.search(r"http://127\.0\.0\.1:5000(/user/\S+)", body)
        assert match, body
        return match.group(1)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    handler = Inbox()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


@pytest.fixture
def settings(settings, inbox):
    return settings.with_overrides(smtp_url=f"smtp://127.0.0.1:{inbox[1]}")


def _register(client, **fields: str):
    data = {
        "name": "congty-abc",
        "email": "dev@congty-abc.example",
        "full_name": "Công ty ABC",
        "password": PASSWORD,
        "password2": PASSWORD,
        **fields,
    }
    data["csrf_token"] = csrf_from(client, "/user/register")
    return client.post("/user/register", data=data)


def test_registration_sends_a_verification_link_that_unlocks_tokens(
    client, auth, services, inbox
) -> None:
    box, _port = inbox
    response = _register(client)
    assert response.status_code == 200
    assert "dev@congty-abc.example" in response.get_data(as_text=True)
    assert len(box.messages) == 1
    message = box.messages[0]
    assert message["To"] == "dev@congty-abc.example"
    assert "congty-abc" in message.get_content()
    assert box.envelopes[0][1] == ["dev@congty-abc.example"]
    assert services.accounts.get_user("congty-abc").email_verified is False

    auth.login("congty-abc", PASSWORD)
    token = csrf_from(client, "/user/account")
    refused = client.post("/user/account/tokens", data={"name": "x", "csrf_token": token})
    assert refused.status_code == 303
    assert services.tokens.list_for(services.accounts.get_user("congty-abc").id) == []

    verified = client.get(box.last_link())
    assert verified.status_code == 302 and verified.headers["Location"].endswith("/user/account")
    assert services.accounts.get_user("congty-abc").email_verified is True
    created = client.post(
        "/user/account/tokens",
        data={
            "name": "nhập dữ liệu",
            "scope": "read",
            "csrf_token": csrf_from(client, "/user/account"),
        },
    )
    assert created.status_code == 201
    assert re.search(r"odp_[A-Za-z0-9_-]{40,}", created.get_data(as_text=True))


def test_registration_refuses_weak_password_and_taken_address(client, services, inbox) -> None:
    make_user(services, name="taken")
    weak = _register(client, password="1234567890", password2="1234567890")
    assert weak.status_code == 422
    assert 'value="congty-abc"' in weak.get_data(as_text=True)  # nothing typed is lost
    taken = _register(client, name="another", email="taken@example.org")
    assert taken.status_code == 422
    assert services.accounts.find_user("another") is None
    assert inbox[0].messages == []


def test_tampered_verification_link_is_refused(client, services, inbox) -> None:
    _register(client)
    link = inbox[0].last_link()
    response = client.get(link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB"))
    assert response.status_code == 400
    assert services.accounts.get_user("congty-abc").email_verified is False


def test_password_reset_link_works_once_and_answers_the_same_for_unknown_addresses(
    client, auth, services, inbox
) -> None:
    box, _port = inbox
    user = make_user(services, name="nguoidung")
    unknown = client.post(
        "/user/reset",
        data={"email": "nobody@example.org", "csrf_token": csrf_from(client, "/user/reset")},
    )
    known = client.post(
        "/user/reset", data={"email": user.email, "csrf_token": csrf_from(client, "/user/reset")}
    )
    assert unknown.status_code == known.status_code == 200
    assert unknown.get_data(as_text=True) == known.get_data(as_text=True)
    assert len(box.messages) == 1 and box.messages[0]["To"] == user.email
    link = box.last_link()
    assert link.startswith("/user/reset/")

    form = {"password": NEW_PASSWORD, "password2": NEW_PASSWORD}
    done = client.post(link, data={**form, "csrf_token": csrf_from(client, link)})
    assert done.status_code == 302 and done.headers["Location"].endswith("/user/login")
    again = client.post(link, data={**form, "csrf_token": csrf_from(client, link)})
    assert again.status_code == 422  # single use

    assert auth.login("nguoidung", PASSWORD).status_code == 401
    assert auth.login("nguoidung", NEW_PASSWORD).status_code == 302
    actions = [r.action for r in services.audit.page(_sysadmin(services)).rows]
    assert "user.password_reset" in actions


def _sysadmin(services):
    from tests.factories import actor

    return actor(
        services, services.accounts.create_user("auditor", "a@example.org", None, is_sysadmin=True)
    )
