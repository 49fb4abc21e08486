"""Webhooks (issue 23): an API token subscribes to the published changes of a dataset or of
an organization's datasets, and each change is POSTed as signed JSON to its URL.

Events are the changes that reach the public, named as the change feed names them:
``published`` (a first publication, or a withdrawn dataset published again), ``updated``
(a new version of a published dataset) and ``withdrawn``. The workflow tells
``on_transition`` after its commit; that queues one job (``JOB_WEBHOOK_EVENT``) which, in
the job process, finds the subscriptions and queues one delivery job each
(``JOB_DELIVER_WEBHOOK``, ``datasets.webhook_delivery``). Nothing is sent from a web
process.

Audience: an event of a dataset at the ``public`` level goes to every matching
subscription. An event of a dataset at another level goes only to subscriptions whose
token may read that dataset's data (its organization's members, grant holders, staff for
``agencies``, any account for ``registered``), and never through a token limited to other
datasets. A payload carries the dataset's id, name, organization and links: no title, no
comment, no data and no personal data.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from datasets.access import AccessLevel, decide_access
from datasets.model import Activity, Dataset, DatasetState, Revision
from datasets.personal.encryption import seal_text
from datasets.queue import HueyQueue
from datasets.sharing import Sharing
from datasets.webhook_delivery import (
    JOB_DELIVER_WEBHOOK,
    Delivering,
    DeliveryView,
    Sender,
    token_is_live,
)
from datasets.webhooks_model import MAX_URL, Webhook, WebhookDelivery
from publishers import Accounts, ApiToken, InvalidInput, Mailer, NotFound, Organization, utcnow
from publishers.permissions import Actor, Permission, can

log = logging.getLogger(__name__)

JOB_WEBHOOK_EVENT = "webhook_event"
EVENTS = ("published", "updated", "withdrawn")
TRANSITIONS = frozenset({"approve", "withdraw"})
MAX_WEBHOOKS_PER_USER = 50
SECRET_PREFIX = "whsec_"  # noqa: S105 -- a public marker of webhook secrets, not a secret
_PAGE = 500  # subscriptions read per step of the fan-out job


@dataclass(frozen=True)
class WebhookView:
    """One subscription as its owner sees it (never its secret)."""

    id: str
    url: str
    target_kind: str  # "dataset" or "organization"
    target: str  # the dataset's or organization's name
    events: tuple[str, ...]
    created: datetime
    active: bool
    failures: int
    disabled: datetime | None
    token_id: str
    token_prefix: str
    token_name: str
    token_live: bool  # False once the token is revoked or expired: nothing is sent


@dataclass(frozen=True)
class CreatedWebhook:
    """A new subscription and its signing secret (shown this once)."""

    webhook: WebhookView
    secret: str


class Webhooks:
    """Subscribe, list, delete; turn workflow transitions into delivery jobs."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        accounts: Accounts,
        sharing: Sharing,
        mailer: Mailer,
        queue: HueyQueue,
        sender: Sender,
        *,
        encryption_key: bytes,
        site_url: str,
        retry_seconds: float = 60.0,
        max_failures: int = 10,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self._accounts = accounts
        self._sharing = sharing
        self._queue = queue
        self._sender = sender
        self._key = encryption_key
        self._site = site_url.rstrip("/")
        self._clock = clock
        self.delivering = Delivering(
            sessions,
            accounts,
            mailer,
            queue,
            sender,
            encryption_key=encryption_key,
            site_url=site_url,
            retry_seconds=retry_seconds,
            max_failures=max_failures,
            clock=clock,
        )

    # -- subscriptions ---------------------------------------------------------------------

    def create(
        self,
        user_id: str,
        token_id: str,
        url: str,
        *,
        dataset: str = "",
        organization: str = "",
        events: Sequence[str] | None = None,
    ) -> CreatedWebhook:
        """Subscribe the token to a dataset's or an organization's changes.

        Raises ``InvalidInput`` (``fields``: ``url``, ``dataset``, ``organization``,
        ``events``, ``token``) for a bad request, ``NotFound`` for what the user may not see.
        """
        url = url.strip()
        problem = _url_problem(url)
        if problem is not None:
            raise InvalidInput("bad webhook URL", {"url": [problem]})
        chosen = _events(events)
        if bool(dataset.strip()) == bool(organization.strip()):
            raise InvalidInput(
                "name a dataset or an organization", {"dataset": ["dataset_or_organization"]}
            )
        problem = self._sender.check(url)  # resolves the host: after the cheap checks
        if problem is not None:
            raise InvalidInput("bad webhook URL", {"url": [problem]})
        actor = self._accounts.actor_for(user_id)
        secret = SECRET_PREFIX + secrets.token_urlsafe(32)
        with self._sessions.begin() as session:
            token = session.get(ApiToken, token_id)
            if token is None or token.user_id != user_id or not token_is_live(token, self._clock()):
                raise InvalidInput("no such token", {"token": ["unknown_token"]})
            count = session.scalar(
                select(func.count()).select_from(Webhook).where(Webhook.user_id == user_id)
            )
            if int(count or 0) >= MAX_WEBHOOKS_PER_USER:
                raise InvalidInput("too many webhooks", {"url": ["too_many_webhooks"]})
            if dataset.strip():
                kind, target_id, target = "dataset", *self._dataset(session, actor, dataset)
            else:
                kind, target_id, target = "organization", *self._organization(organization)
            row = Webhook(
                user_id=user_id,
                token_id=token_id,
                url=url,
                target_kind=kind,
                target_id=target_id,
                events=",".join(chosen),
                secret="",
                created=self._clock(),
                active=True,
                failures=0,
            )
            session.add(row)
            session.flush()
            row.secret = seal_text(self._key, secret, f"webhook:{row.id}")
            view = _view(row, target, token)
        return CreatedWebhook(view, secret)

    def list_for(self, user_id: str) -> list[WebhookView]:
        """The user's subscriptions, newest first."""
        with self._sessions() as session:
            rows = session.execute(
                select(Webhook, ApiToken)
                .join(ApiToken, ApiToken.id == Webhook.token_id)
                .where(Webhook.user_id == user_id)
                .order_by(Webhook.created.desc(), Webhook.id)
            ).all()
            return [_view(w, self._target_name(session, w), t) for w, t in rows]

    def get(self, user_id: str, webhook_id: str) -> WebhookView:
        """One of the user's subscriptions; ``NotFound`` for anyone else's."""
        with self._sessions() as session:
            row = session.get(Webhook, webhook_id)
            if row is None or row.user_id != user_id:
                raise NotFound("webhook not found")
            token = session.get(ApiToken, row.token_id)
            assert token is not None  # the foreign key cascades
            return _view(row, self._target_name(session, row), token)

    def delete(self, user_id: str, webhook_id: str) -> None:
        """Delete one of the user's subscriptions with its log; ``NotFound`` otherwise."""
        with self._sessions.begin() as session:
            row = session.get(Webhook, webhook_id)
            if row is None or row.user_id != user_id:
                raise NotFound("webhook not found")
            session.execute(delete(WebhookDelivery).where(WebhookDelivery.webhook_id == row.id))
            session.delete(row)

    def deliveries(self, user_id: str, webhook_id: str, limit: int = 50) -> list[DeliveryView]:
        """The subscription's latest delivery attempts, newest first."""
        self.get(user_id, webhook_id)
        return self.delivering.log(webhook_id, limit)

    # -- events ----------------------------------------------------------------------------

    def on_transition(self, action: str, dataset_id: str) -> None:
        """Workflow listener: queue the fan-out job when a subscription may match."""
        if action not in TRANSITIONS:
            return
        with self._sessions() as session:
            dataset = session.get(Dataset, dataset_id)
            if dataset is None:
                return
            matching = session.scalar(
                select(Webhook.id).where(_targets(dataset), Webhook.active.is_(True)).limit(1)
            )
            if matching is None:
                return
            activity = session.scalars(
                select(Activity.id)
                .where(Activity.dataset_id == dataset_id, Activity.action == action)
                .order_by(Activity.created.desc())
                .limit(1)
            ).first()
        if activity is not None:
            self._queue.enqueue(JOB_WEBHOOK_EVENT, {"activity_id": activity})

    def event_job(self, payload: Mapping[str, Any]) -> int:
        """The fan-out job: queue one delivery per subscription that may hear of the change.

        Returns how many deliveries were queued.
        """
        with self._sessions() as session:
            activity = session.get(Activity, str(payload["activity_id"]))
            if activity is None or activity.action not in TRANSITIONS:
                return 0
            dataset = session.get(Dataset, activity.dataset_id)
            if dataset is None:
                return 0
            event = _event(activity)
            level = _level(session, dataset)
            organization = self._accounts.find_organization(dataset.organization_id)
            body = {
                "event": event,
                "occurred_at": _rfc3339(activity.created),
                "dataset": {
                    "id": dataset.id,
                    "name": dataset.name,
                    "organization": organization.name if organization else None,
                    "url": f"{self._site}/api/v1/datasets/{dataset.name}",
                    "page": f"{self._site}/dataset/{dataset.name}",
                },
            }
        queued, after = 0, ""
        while True:
            with self._sessions() as session:
                rows = session.execute(
                    select(Webhook, ApiToken)
                    .join(ApiToken, ApiToken.id == Webhook.token_id)
                    .where(_targets(dataset), Webhook.active.is_(True), Webhook.id > after)
                    .order_by(Webhook.id)
                    .limit(_PAGE)
                ).all()
                chosen = [
                    webhook.id
                    for webhook, token in rows
                    if event in webhook.events.split(",")
                    and token_is_live(token, self._clock())
                    and self._may_hear(session, token, dataset, level)
                ]
            for webhook_id in chosen:
                self.delivering.start(webhook_id, event, dataset.name, body)
                queued += 1
            if len(rows) < _PAGE:
                break
            after = rows[-1][0].id
        log.info("webhook event", extra={"event": event, "deliveries": queued})
        return queued

    # -- helpers ---------------------------------------------------------------------------

    def _may_hear(self, session: Session, token: ApiToken, dataset: Dataset, level: str) -> bool:
        """True when the token's audience may learn of this dataset's change."""
        if level == AccessLevel.PUBLIC.value:
            return True
        actor = self._accounts.actor_for(token.user_id)
        if token.datasets is not None:
            actor = replace(actor, datasets=frozenset(token.datasets))
        if dataset.organization_id in actor.roles and _allowed(actor, dataset):
            return True
        grant = self._sharing.active_grant(session, actor, dataset.id)
        access = decide_access(
            level,
            actor,
            dataset.organization_id,
            grant,
            dataset_id=dataset.id,
            dataset_name=dataset.name,
        )
        return access.reads_data

    def _dataset(self, session: Session, actor: Actor, name: str) -> tuple[str, str]:
        found = session.scalars(
            select(Dataset).where(or_(Dataset.name == name.strip(), Dataset.id == name.strip()))
        ).first()
        if found is None:
            raise NotFound("dataset not found", name=name)
        visible = found.state == DatasetState.PUBLISHED.value or can(
            actor, Permission.READ_DRAFT, found.organization_id
        )
        if not visible:
            raise NotFound("dataset not found", name=name)
        return found.id, found.name

    def _organization(self, name: str) -> tuple[str, str]:
        found: Organization | None = self._accounts.find_organization(name.strip())
        if found is None:
            raise NotFound("organization not found", name=name)
        return found.id, found.name

    def _target_name(self, session: Session, webhook: Webhook) -> str:
        if webhook.target_kind == "dataset":
            dataset = session.get(Dataset, webhook.target_id)
            return dataset.name if dataset is not None else ""
        organization = self._accounts.find_organization(webhook.target_id)
        return organization.name if organization is not None else ""


def _allowed(actor: Actor, dataset: Dataset) -> bool:
    limit = actor.datasets
    return limit is None or dataset.id in limit or dataset.name in limit


def _targets(dataset: Dataset) -> Any:
    return or_(
        (Webhook.target_kind == "dataset") & (Webhook.target_id == dataset.id),
        (Webhook.target_kind == "organization") & (Webhook.target_id == dataset.organization_id),
    )


def _level(session: Session, dataset: Dataset) -> str:
    revision_id = dataset.live_revision_id or dataset.working_revision_id
    revision = session.get(Revision, revision_id) if revision_id else None
    return revision.access_level if revision is not None else AccessLevel.PUBLIC.value


def _event(activity: Activity) -> str:
    if activity.action == "withdraw":
        return "withdrawn"
    return "updated" if activity.from_state == DatasetState.PUBLISHED.value else "published"


def _events(events: Sequence[str] | None) -> list[str]:
    if not events:
        return list(EVENTS)
    chosen = [e.strip() for e in events if e.strip()]
    if not chosen or any(e not in EVENTS for e in chosen):
        raise InvalidInput("unknown event", {"events": ["unknown_event"]})
    return [e for e in EVENTS if e in chosen]


def _url_problem(url: str) -> str | None:
    """A code naming what is wrong with a receiver URL's shape, or None."""
    if len(url) > MAX_URL:
        return "too_long"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- raises ValueError for a bad port
    except ValueError:
        return "invalid"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "not_http"
    if parts.username or parts.password:
        return "credentials"
    return None


def _rfc3339(moment: datetime) -> str:
    from datetime import UTC

    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _view(row: Webhook, target: str, token: ApiToken) -> WebhookView:
    return WebhookView(
        id=row.id,
        url=row.url,
        target_kind=row.target_kind,
        target=target,
        events=tuple(row.events.split(",")),
        created=row.created,
        active=row.active,
        failures=row.failures,
        disabled=row.disabled,
        token_id=token.id,
        token_prefix=token.prefix,
        token_name=token.name,
        token_live=token_is_live(token, utcnow()),
    )


__all__ = [
    "EVENTS",
    "JOB_DELIVER_WEBHOOK",
    "JOB_WEBHOOK_EVENT",
    "CreatedWebhook",
    "DeliveryView",
    "WebhookView",
    "Webhooks",
]
