"""Following a dataset: a signed-in user asks for a mail each time the dataset changes.

The changes followers hear about are the ones that reach the public: a version published
(the approval of a revision, which is also how a withdrawn dataset is published again) and a
withdrawal. A draft edit, a submission or a rejection happens behind the review and is
mailed to nobody who merely follows. The workflow tells ``on_transition`` after its commit;
the mails go out from a job (``JOB_NOTIFY_FOLLOWERS``), never in the request.

A mail carries the title, what changed, when, the reviewer's comment (the change note) and
two links: the dataset page and an unsubscribe link holding a signed token (HMAC with the
portal's secret key, itsdangerous), which works without signing in. It never carries data:
no rows, no file names, no download links, whatever the dataset's access level, so followers
of a dataset that is not public get its metadata changes only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from datasets.follow_model import Follow
from datasets.model import Activity, Dataset, DatasetState
from datasets.queue import TaskQueue
from publishers import (
    Accounts,
    InvalidInput,
    Mail,
    Mailer,
    NotFound,
    Unauthenticated,
    UserInfo,
    utcnow,
)
from publishers.permissions import Actor

log = logging.getLogger(__name__)

JOB_NOTIFY_FOLLOWERS = "notify_followers"
# Workflow transitions followers are told about (see the module docstring).
FOLLOWED_CHANGES = frozenset({"approve", "withdraw"})
_SALT = "unfollow-dataset"
# A follower list is read and mailed in pages of this size, so one job's work is bounded
# per step; every follower is mailed.
_PAGE = 500


@dataclass(frozen=True)
class FollowedDataset:
    """One dataset a user follows, as ``/user/following`` lists it."""

    name: str
    title: str
    published: bool  # False once withdrawn (the follow stays: a republication is mailed)
    since: datetime


@dataclass(frozen=True)
class Unfollowed:
    """What an unsubscribe link stopped: the dataset's title and name."""

    name: str
    title: str


class BadUnsubscribeLink(InvalidInput):
    """The unsubscribe link was altered or cut."""

    code = "bad_unsubscribe_link"


class Follows:
    """Follow and unfollow datasets; mail followers after a published change."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        accounts: Accounts,
        mailer: Mailer,
        queue: TaskQueue,
        *,
        secret_key: str,
        site_url: str,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self._accounts = accounts
        self._mailer = mailer
        self._queue = queue
        self._secret = secret_key
        self._site = site_url.rstrip("/")
        self._clock = clock

    # -- following -------------------------------------------------------------------------

    def follow(self, actor: Actor, name: str) -> None:
        """Follow the published dataset ``name`` (any access level: its metadata is public)."""
        user_id = self._signed_in(actor)
        with self._sessions.begin() as session:
            dataset = self._published(session, name)
            if session.get(Follow, (user_id, dataset.id)) is None:
                session.add(Follow(user_id=user_id, dataset_id=dataset.id, created=self._clock()))

    def unfollow(self, actor: Actor, name: str) -> None:
        """Stop following ``name``; nothing happens when the user did not follow it."""
        user_id = self._signed_in(actor)
        with self._sessions.begin() as session:
            dataset = session.scalars(select(Dataset).where(Dataset.name == name)).first()
            if dataset is None:
                raise NotFound("dataset not found", name=name)
            self._remove(session, user_id, dataset.id)

    def is_following(self, actor: Actor, dataset_id: str) -> bool:
        """True when the signed-in ``actor`` follows the dataset."""
        if actor.user_id is None:
            return False
        with self._sessions() as session:
            return session.get(Follow, (actor.user_id, dataset_id)) is not None

    def following(self, actor: Actor) -> list[FollowedDataset]:
        """Return the datasets ``actor`` follows, most recently followed first."""
        user_id = self._signed_in(actor)
        with self._sessions() as session:
            rows = session.execute(
                select(Follow, Dataset)
                .join(Dataset, Dataset.id == Follow.dataset_id)
                .where(Follow.user_id == user_id)
                .order_by(Follow.created.desc(), Dataset.name)
            ).all()
            result = []
            for follow, dataset in rows:
                revision = dataset.live_revision or dataset.working_revision
                result.append(
                    FollowedDataset(
                        name=dataset.name,
                        title=revision.title_vi if revision is not None else dataset.name,
                        published=dataset.state == DatasetState.PUBLISHED.value,
                        since=follow.created,
                    )
                )
            return result

    # -- unsubscribe links -----------------------------------------------------------------

    def unsubscribe_token(self, user_id: str, dataset_id: str) -> str:
        """Return the signed token of the link that stops ``user_id`` following the dataset."""
        return URLSafeSerializer(self._secret, salt=_SALT).dumps([user_id, dataset_id])

    def unsubscribe_target(self, token: str) -> Unfollowed | None:
        """Return the dataset a valid token names (None when it is gone); raise
        ``BadUnsubscribeLink`` for an altered token."""
        _user_id, dataset_id = self._unsign(token)
        with self._sessions() as session:
            dataset = session.get(Dataset, dataset_id)
            if dataset is None:
                return None
            return Unfollowed(dataset.name, _title(dataset))

    def unsubscribe(self, token: str) -> Unfollowed | None:
        """Stop the follow a valid token names, without a session; idempotent."""
        user_id, dataset_id = self._unsign(token)
        with self._sessions.begin() as session:
            dataset = session.get(Dataset, dataset_id)
            self._remove(session, user_id, dataset_id)
            if dataset is None:
                return None
            return Unfollowed(dataset.name, _title(dataset))

    # -- notifications ---------------------------------------------------------------------

    def on_transition(self, action: str, dataset_id: str) -> None:
        """Workflow listener: queue the followers' mails of a published change."""
        if action not in FOLLOWED_CHANGES:
            return
        with self._sessions() as session:
            followed = session.scalars(
                select(Follow.user_id).where(Follow.dataset_id == dataset_id).limit(1)
            ).first()
            if followed is None:
                return
            activity = session.scalars(
                select(Activity.id)
                .where(Activity.dataset_id == dataset_id, Activity.action == action)
                .order_by(Activity.created.desc())
                .limit(1)
            ).first()
        self._queue.enqueue(
            JOB_NOTIFY_FOLLOWERS,
            {"dataset_id": dataset_id, "action": action, "activity_id": activity},
        )

    def notify_job(self, payload: Mapping[str, Any]) -> int:
        """Mail each follower about one change (the job); return how many were mailed."""
        dataset_id = str(payload["dataset_id"])
        action = str(payload["action"])
        activity_id = payload.get("activity_id")
        with self._sessions() as session:
            dataset = session.get(Dataset, dataset_id)
            if dataset is None or action not in FOLLOWED_CHANGES:
                return 0
            activity = session.get(Activity, str(activity_id)) if activity_id else None
            title, name = _title(dataset), dataset.name
            when = activity.created if activity is not None else self._clock()
            note = activity.comment if activity is not None else ""
        sent, after = 0, ""
        while True:
            with self._sessions() as session:
                user_ids = list(
                    session.scalars(
                        select(Follow.user_id)
                        .where(Follow.dataset_id == dataset_id, Follow.user_id > after)
                        .order_by(Follow.user_id)
                        .limit(_PAGE)
                    )
                )
            for user_id in user_ids:
                user = self._accounts.find_user(user_id)
                if user is None or not user.is_active or user.is_system or not user.email:
                    continue
                self._mailer.send(self._mail(user, action, title, name, when, note, dataset_id))
                sent += 1
            if len(user_ids) < _PAGE:
                break
            after = user_ids[-1]
        log.info("followers mailed", extra={"action": action, "recipients": sent})
        return sent

    def _mail(
        self,
        user: UserInfo,
        action: str,
        title: str,
        name: str,
        when: datetime,
        note: str,
        dataset_id: str,
    ) -> Mail:
        day = when.date().isoformat()
        page = f"{self._site}/dataset/{name}"
        stop = f"{self._site}/user/following/stop/{self.unsubscribe_token(user.id, dataset_id)}"
        if action == "approve":
            subject = f"Phiên bản mới / New version: {title}"
            body = (
                f"Bộ dữ liệu «{title}» bạn theo dõi vừa công bố phiên bản mới ngày {day}.\n"
                f"The dataset “{title}” you follow published a new version on {day}.\n"
            )
        else:
            subject = f"Đã rút / Withdrawn: {title}"
            body = (
                f"Bộ dữ liệu «{title}» bạn theo dõi đã bị rút khỏi cổng ngày {day}.\n"
                f"The dataset “{title}” you follow was withdrawn from the portal on {day}.\n"
            )
        if note:
            body += f"\nGhi chú thay đổi / Change note: {note}\n"
        body += (
            f"\n{page}\n\nNgừng theo dõi bộ dữ liệu này / Stop following this dataset:\n{stop}\n"
        )
        return Mail(to=(user.email,), subject=subject, body=body)

    # -- helpers ---------------------------------------------------------------------------

    def _unsign(self, token: str) -> tuple[str, str]:
        try:
            data = URLSafeSerializer(self._secret, salt=_SALT).loads(token)
        except BadSignature:
            raise BadUnsubscribeLink("bad unsubscribe link") from None
        if not (
            isinstance(data, list) and len(data) == 2 and all(isinstance(v, str) for v in data)
        ):
            raise BadUnsubscribeLink("bad unsubscribe link")
        return data[0], data[1]

    @staticmethod
    def _signed_in(actor: Actor) -> str:
        if actor.user_id is None:
            raise Unauthenticated("sign in to follow a dataset")
        return actor.user_id

    @staticmethod
    def _published(session: Session, name: str) -> Dataset:
        dataset = session.scalars(select(Dataset).where(Dataset.name == name)).first()
        if dataset is None or dataset.state != DatasetState.PUBLISHED.value:
            raise NotFound("dataset not found", name=name)
        return dataset

    @staticmethod
    def _remove(session: Session, user_id: str, dataset_id: str) -> None:
        session.execute(
            delete(Follow).where(Follow.user_id == user_id, Follow.dataset_id == dataset_id)
        )


def _title(dataset: Dataset) -> str:
    revision = dataset.live_revision or dataset.working_revision
    return revision.title_vi if revision is not None else dataset.name


__all__ = [
    "FOLLOWED_CHANGES",
    "JOB_NOTIFY_FOLLOWERS",
    "BadUnsubscribeLink",
    "FollowedDataset",
    "Follows",
    "Unfollowed",
]
