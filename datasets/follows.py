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
from datetime import UTC, datetime, timedelta
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from datasets.follow_model import Follow
from datasets.model import Activity, Dataset, DatasetState
from datasets.queue import HueyQueue
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
# Changes of one dataset less than this apart are told in one mail (sent this long after
# the last of them); a mail tells at most ``_MAX_BATCH`` changes.
BATCH_WINDOW = timedelta(minutes=10)
_MAX_BATCH = 20


@dataclass(frozen=True)
class _Change:
    action: str
    when: datetime
    note: str


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
        queue: HueyQueue,
        *,
        secret_key: str,
        site_url: str,
        clock: Callable[[], datetime] = utcnow,
        batch_window: timedelta = BATCH_WINDOW,
    ) -> None:
        self._sessions = sessions
        self._accounts = accounts
        self._mailer = mailer
        self._queue = queue
        self._secret = secret_key
        self._site = site_url.rstrip("/")
        self._clock = clock
        self._window = batch_window

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
        self._queue.enqueue_later(
            JOB_NOTIFY_FOLLOWERS,
            {"dataset_id": dataset_id, "action": action, "activity_id": activity},
            self._window.total_seconds(),
        )

    def notify_job(self, payload: Mapping[str, Any]) -> int:
        """Mail each follower about a change (the job); return how many were mailed.

        Changes of one dataset that follow each other within the batch window make one
        mail: the job of a change that a later one follows within the window sends nothing,
        and the job of the last one (queued ``batch_window`` after it) tells all of them.
        """
        dataset_id = str(payload["dataset_id"])
        activity_id = payload.get("activity_id")
        with self._sessions() as session:
            dataset = session.get(Dataset, dataset_id)
            activity = session.get(Activity, str(activity_id)) if activity_id else None
            if dataset is None or activity is None or activity.action not in FOLLOWED_CHANGES:
                return 0
            title, name = _title(dataset), dataset.name
            changes = self._batch(session, activity)
        if not changes:
            return 0
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
                self._mailer.send(self._mail(user, changes, title, name, dataset_id))
                sent += 1
            if len(user_ids) < _PAGE:
                break
            after = user_ids[-1]
        log.info("followers mailed", extra={"changes": len(changes), "recipients": sent})
        return sent

    def _batch(self, session: Session, last: Activity) -> list[_Change]:
        """The changes one mail tells, oldest first; empty when a later change within the
        window will tell this one."""
        window = timedelta(0) if self._queue.immediate else self._window
        followed = (Activity.dataset_id == last.dataset_id, Activity.action.in_(FOLLOWED_CHANGES))
        later = session.scalars(
            select(Activity.created)
            .where(*followed, Activity.created > last.created, Activity.id != last.id)
            .order_by(Activity.created)
            .limit(1)
        ).first()
        if later is not None and _aware(later) - _aware(last.created) <= window:
            return []
        earlier = session.scalars(
            select(Activity)
            .where(*followed, Activity.created <= last.created, Activity.id != last.id)
            .order_by(Activity.created.desc())
            .limit(_MAX_BATCH - 1)
        ).all()
        batch, moment = [last], _aware(last.created)
        for activity in earlier:
            if moment - _aware(activity.created) > window:
                break
            batch.append(activity)
            moment = _aware(activity.created)
        return [_Change(a.action, _aware(a.created), a.comment) for a in reversed(batch)]

    def _mail(
        self, user: UserInfo, changes: list[_Change], title: str, name: str, dataset_id: str
    ) -> Mail:
        page = f"{self._site}/dataset/{name}"
        stop = f"{self._site}/user/following/stop/{self.unsubscribe_token(user.id, dataset_id)}"
        if len(changes) > 1:
            subject = f"{len(changes)} thay đổi / {len(changes)} changes: {title}"
        elif changes[0].action == "approve":
            subject = f"Phiên bản mới / New version: {title}"
        else:
            subject = f"Đã rút / Withdrawn: {title}"
        body = ""
        for change in changes:
            day = change.when.date().isoformat()
            if change.action == "approve":
                body += (
                    f"Bộ dữ liệu «{title}» bạn theo dõi vừa công bố phiên bản mới ngày {day}.\n"
                    f"The dataset “{title}” you follow published a new version on {day}.\n"
                )
            else:
                body += (
                    f"Bộ dữ liệu «{title}» bạn theo dõi đã bị rút khỏi cổng ngày {day}.\n"
                    f"The dataset “{title}” you follow was withdrawn from the portal on {day}.\n"
                )
            if change.note:
                body += f"Ghi chú thay đổi / Change note: {change.note}\n"
            body += "\n"
        body += f"{page}\n\nNgừng theo dõi bộ dữ liệu này / Stop following this dataset:\n{stop}\n"
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


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _title(dataset: Dataset) -> str:
    revision = dataset.live_revision or dataset.working_revision
    return revision.title_vi if revision is not None else dataset.name


__all__ = [
    "BATCH_WINDOW",
    "FOLLOWED_CHANGES",
    "JOB_NOTIFY_FOLLOWERS",
    "BadUnsubscribeLink",
    "FollowedDataset",
    "Follows",
    "Unfollowed",
]
