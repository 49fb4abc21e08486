"""Delivering webhook events (issue 23): signed POSTs, retries with backoff, the log.

Each delivery is one job (``JOB_DELIVER_WEBHOOK``) in the job process. It POSTs the event's
JSON body with three headers:

- ``X-Opendata-Event``: ``published``, ``updated`` or ``withdrawn``;
- ``X-Opendata-Delivery``: the delivery's id (the same on every attempt: receivers use it
  to ignore a repeat);
- ``X-Opendata-Signature``: ``t=<unix seconds>,v1=<hex HMAC-SHA256>`` of
  ``<t>.<body>`` keyed with the subscription's secret.

A 2xx answer is a success. Anything else (another status, a refused address, a timeout, a
redirect) is a failure: the attempt is logged and the delivery retried after
``retry_seconds * 2**(attempt-1)``, at most ``MAX_ATTEMPTS`` attempts. A subscription whose
attempts fail ``max_failures`` times in a row is disabled and its owner mailed. The HTTP
request itself is made by the ``Sender`` the composition root gives (the guarded session:
addresses checked at connect time, bounded timeouts and answer size).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from datasets.personal.encryption import open_text
from datasets.queue import HueyQueue
from datasets.webhooks_model import MAX_EXCERPT, Webhook, WebhookDelivery
from publishers import Accounts, ApiToken, Mail, Mailer, User, utcnow

log = logging.getLogger(__name__)

JOB_DELIVER_WEBHOOK = "deliver_webhook"
MAX_ATTEMPTS = 6
MAX_BACKOFF_SECONDS = 6 * 3600
SIGNATURE_HEADER = "X-Opendata-Signature"


@dataclass(frozen=True)
class Outcome:
    """What one POST gave: the status (None when no answer came), a short excerpt of the
    answer, an error code, and how long it took."""

    status: int | None
    excerpt: str = ""
    error: str = ""
    duration_ms: int = 0

    @property
    def ok(self) -> bool:
        """True for a 2xx answer."""
        return self.status is not None and 200 <= self.status < 300


class Sender(Protocol):
    """Makes the HTTP requests of webhooks (the guarded session, composed in ``app``)."""

    def check(self, url: str) -> str | None:
        """A code naming why ``url`` may not receive webhooks (e.g. a private address)."""
        ...

    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> Outcome:
        """POST ``body``; never raise for a network or HTTP problem."""
        ...


@dataclass(frozen=True)
class DeliveryView:
    """One logged attempt."""

    delivery_id: str
    event: str
    dataset_name: str
    attempt: int
    created: datetime
    status: str  # "delivered", "failed" (retried at ``next_attempt``), "gave_up"
    response_code: int | None
    error: str
    excerpt: str
    duration_ms: int
    next_attempt: datetime | None


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The ``X-Opendata-Signature`` value of ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def token_is_live(token: ApiToken, now: datetime) -> bool:
    """True when the token is neither revoked nor expired."""
    if token.revoked is not None:
        return False
    expires = token.expires
    if expires is None:
        return True
    return (expires if expires.tzinfo else expires.replace(tzinfo=UTC)) > now


class Delivering:
    """Queue, send, retry and log deliveries; disable failing subscriptions."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        accounts: Accounts,
        mailer: Mailer,
        queue: HueyQueue,
        sender: Sender,
        *,
        encryption_key: bytes,
        site_url: str,
        retry_seconds: float,
        max_failures: int,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self._accounts = accounts
        self._mailer = mailer
        self._queue = queue
        self._sender = sender
        self._key = encryption_key
        self._site = site_url.rstrip("/")
        self._retry = retry_seconds
        self._max_failures = max_failures
        self._clock = clock

    def start(
        self, webhook_id: str, event: str, dataset_name: str, body: Mapping[str, Any]
    ) -> None:
        """Queue the first attempt of a new delivery."""
        delivery_id = str(uuid.uuid4())
        text = json.dumps({"id": delivery_id, "webhook": webhook_id, **body}, ensure_ascii=False)
        self._queue.enqueue(
            JOB_DELIVER_WEBHOOK,
            {
                "webhook_id": webhook_id,
                "delivery_id": delivery_id,
                "event": event,
                "dataset_name": dataset_name,
                "attempt": 1,
                "body": text,
            },
        )

    def deliver_job(self, payload: Mapping[str, Any]) -> str:
        """One attempt (the job); return the logged status, or "skipped"."""
        webhook_id, attempt = str(payload["webhook_id"]), int(payload["attempt"])
        now = self._clock()
        with self._sessions() as session:
            webhook = session.get(Webhook, webhook_id)
            token = session.get(ApiToken, webhook.token_id) if webhook is not None else None
            if webhook is None or token is None or not webhook.active:
                return "skipped"
            user = session.get(User, webhook.user_id)
            if not token_is_live(token, now) or user is None or not user.is_active:
                return "skipped"  # a revoked token's subscriptions hear nothing more
            url = webhook.url
            secret = open_text(self._key, webhook.secret, f"webhook:{webhook.id}")
        body = str(payload["body"]).encode()
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "X-Opendata-Event": str(payload["event"]),
            "X-Opendata-Delivery": str(payload["delivery_id"]),
            SIGNATURE_HEADER: sign(secret, int(now.timestamp()), body),
        }
        outcome = self._sender.post(url, body, headers)
        status, delay = self._record(payload, attempt, outcome)
        if delay is not None:
            self._queue.enqueue_later(
                JOB_DELIVER_WEBHOOK, {**payload, "attempt": attempt + 1}, delay
            )
        return status

    def _record(
        self, payload: Mapping[str, Any], attempt: int, outcome: Outcome
    ) -> tuple[str, float | None]:
        """Log the attempt and count the failure; return its status and the retry's delay."""
        webhook_id = str(payload["webhook_id"])
        now = self._clock()
        delay: float | None = None
        disabled = False
        with self._sessions.begin() as session:
            if outcome.ok:
                session.execute(update(Webhook).where(Webhook.id == webhook_id).values(failures=0))
                status = "delivered"
            else:
                failures = session.scalar(
                    update(Webhook)
                    .where(Webhook.id == webhook_id)
                    .values(failures=Webhook.failures + 1)
                    .returning(Webhook.failures)
                )
                if failures is not None and failures >= self._max_failures:
                    session.execute(
                        update(Webhook)
                        .where(Webhook.id == webhook_id, Webhook.active.is_(True))
                        .values(active=False, disabled=now)
                    )
                    disabled, status = True, "gave_up"
                elif attempt < MAX_ATTEMPTS:
                    delay = min(self._retry * 2 ** (attempt - 1), MAX_BACKOFF_SECONDS)
                    status = "failed"
                else:
                    status = "gave_up"
            session.add(
                WebhookDelivery(
                    webhook_id=webhook_id,
                    delivery_id=str(payload["delivery_id"]),
                    event=str(payload["event"]),
                    dataset_name=str(payload["dataset_name"])[:100],
                    attempt=attempt,
                    created=now,
                    status=status,
                    response_code=outcome.status,
                    error=outcome.error[:40],
                    excerpt=outcome.excerpt[:MAX_EXCERPT],
                    duration_ms=outcome.duration_ms,
                    next_attempt=now + timedelta(seconds=delay) if delay is not None else None,
                )
            )
        log.info(
            "webhook attempt",
            extra={"status": status, "attempt": attempt, "code": outcome.status},
        )
        if disabled:
            self._mail_disabled(webhook_id)
        return status, delay

    def _mail_disabled(self, webhook_id: str) -> None:
        with self._sessions() as session:
            webhook = session.get(Webhook, webhook_id)
            if webhook is None:
                return
            url, failures, user_id = webhook.url, webhook.failures, webhook.user_id
        user = self._accounts.find_user(user_id)
        if user is None or not user.email or user.is_system:
            return
        page = f"{self._site}/user/account#webhooks"
        body = (
            f"Webhook gửi tới {url} đã bị tắt sau {failures} lần gửi thất bại liên tiếp.\n"
            f"The webhook sending to {url} was disabled after {failures} failed attempts "
            "in a row.\n\n"
            "Xem nhật ký gửi và tạo lại webhook khi địa chỉ nhận hoạt động trở lại:\n"
            "See its delivery log, and create it again once the receiver works:\n"
            f"{page}\n"
        )
        mail = Mail(to=(user.email,), subject="Webhook đã tắt / Webhook disabled", body=body)
        try:
            self._mailer.send(mail)
        except OSError:
            log.exception("webhook disabled mail not sent")

    def log(self, webhook_id: str, limit: int = 50) -> list[DeliveryView]:
        """The latest attempts of a subscription, newest first."""
        with self._sessions() as session:
            rows = session.scalars(
                select(WebhookDelivery)
                .where(WebhookDelivery.webhook_id == webhook_id)
                .order_by(WebhookDelivery.created.desc(), WebhookDelivery.attempt.desc())
                .limit(max(1, min(limit, 500)))
            ).all()
            return [
                DeliveryView(
                    delivery_id=r.delivery_id,
                    event=r.event,
                    dataset_name=r.dataset_name,
                    attempt=r.attempt,
                    created=r.created,
                    status=r.status,
                    response_code=r.response_code,
                    error=r.error,
                    excerpt=r.excerpt,
                    duration_ms=r.duration_ms,
                    next_attempt=r.next_attempt,
                )
                for r in rows
            ]
