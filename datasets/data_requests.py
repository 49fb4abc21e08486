"""Data requests (issue 21): anyone asks for a dataset the portal does not have.

A signed-in user, or anyone with an e-mail address, asks; the asked organization's stewards
(any organization's stewards for a request that names none) answer: answered, planned,
declined with a reason, or published with a link to the dataset. Each change is kept in the
request's history and mailed to the requester. Others say "I need this too" (one vote per
account or per client). Sysadmins hide spam. The requester's e-mail address is encrypted
at rest and used only to send that mail. Asking is throttled per client, every text and
every list is bounded.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from datasets.data_request_views import DataRequestView, RequestPage, build_view
from datasets.data_requests_model import (
    MAX_ANSWER,
    MAX_DESCRIPTION,
    MAX_TITLE,
    DataRequest,
    DataRequestEvent,
    DataRequestVote,
    RequestStatus,
)
from datasets.leak_reports import TooManyReports
from datasets.model import Dataset, DatasetState
from datasets.personal.encryption import open_text, seal_text
from datasets.text import slug_fold
from publishers import (
    Actor,
    InvalidInput,
    Mail,
    Mailer,
    NotFound,
    Organization,
    Permission,
    PermissionDenied,
    User,
    can,
    new_id,
    organizations_where,
    utcnow,
)

log = logging.getLogger(__name__)

THROTTLE_COUNT = 5  # requests per client per hour
VOTE_THROTTLE_COUNT = 60  # votes per voter per hour
THROTTLE_PERIOD = timedelta(hours=1)
PAGE_SIZE = 20
MAX_PAGE = 500
MAX_QUERY_CHARS = 200
MAX_QUERY_WORDS = 8
STEWARD_LIST = 100
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
ANSWERS = (
    RequestStatus.ANSWERED,
    RequestStatus.PLANNED,
    RequestStatus.DECLINED,
    RequestStatus.PUBLISHED,
)
_LABELS = {
    RequestStatus.OPEN: ("Đang chờ", "Open"),
    RequestStatus.ANSWERED: ("Đã trả lời", "Answered"),
    RequestStatus.PLANNED: ("Đã lên kế hoạch", "Planned"),
    RequestStatus.DECLINED: ("Từ chối", "Declined"),
    RequestStatus.PUBLISHED: ("Đã công bố", "Published"),
}


class TooManyDataRequests(TooManyReports):
    """The same client asked too often recently (HTTP 429, like the reports)."""


@dataclass(frozen=True)
class NewRequest:
    """What someone asks for."""

    title: str
    description: str = ""
    organization: str = ""  # the asked organization's name or id; "" for none
    contact_email: str = ""  # required from anonymous requesters, never shown
    show_name: bool = False


def fold(text: str) -> str:
    """Lower case without tone marks: the form the word search compares."""
    return slug_fold(text).lower()


def _like(word: str) -> str:
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


class DataRequests:
    """Ask, list, vote on, answer and moderate data requests."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        encryption_key: bytes,
        mailer: Mailer,
        site_url: str,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self._key = encryption_key
        self._mailer = mailer
        self._site = site_url.rstrip("/")
        self._clock = clock

    def ask(self, actor: Actor, new: NewRequest, client: str) -> DataRequestView:
        """Record a request; return it.

        Raises ``InvalidInput`` for a missing or too long field, an unknown organization or
        (anonymous only) a missing or bad e-mail address; ``TooManyDataRequests`` when
        ``client`` asked ``THROTTLE_COUNT`` times in the last hour.
        """
        title, description = new.title.strip(), new.description.strip()
        email = "" if not actor.is_anonymous else new.contact_email.strip()
        errors: dict[str, list[str]] = {}
        if not title:
            errors["title"] = ["required"]
        elif len(title) > MAX_TITLE:
            errors["title"] = ["too_long"]
        if len(description) > MAX_DESCRIPTION:
            errors["description"] = ["too_long"]
        if actor.is_anonymous and not email:
            errors["contact_email"] = ["required"]
        elif email and (len(email) > 320 or not _EMAIL.match(email)):
            errors["contact_email"] = ["invalid_email"]
        now = self._clock()
        with self._sessions.begin() as session:
            org_id = None
            if new.organization.strip():
                org = _find_org(session, new.organization.strip())
                if org is None:
                    errors["organization"] = ["unknown_organization"]
                else:
                    org_id = org.id
            if errors:
                raise InvalidInput("invalid data request", errors)
            recent = session.scalar(
                select(func.count())
                .select_from(DataRequest)
                .where(
                    DataRequest.client_key == client, DataRequest.created > now - THROTTLE_PERIOD
                )
            )
            if int(recent or 0) >= THROTTLE_COUNT:
                raise TooManyDataRequests("too many data requests")
            request_id = new_id()
            row = DataRequest(
                id=request_id,
                title=title,
                description=description,
                search_text=fold(f"{title} {description}"),
                organization_id=org_id,
                requester_id=actor.user_id,
                contact_email=seal_text(self._key, email, _context(request_id)) if email else "",
                show_name=bool(new.show_name and actor.user_id),
                status=RequestStatus.OPEN.value,
                answer="",
                hidden=False,
                votes=0,
                client_key=client,
                created=now,
                updated=now,
            )
            session.add(row)
            session.add(
                DataRequestEvent(
                    request_id=request_id,
                    status=RequestStatus.OPEN.value,
                    note="",
                    actor_id=actor.user_id,
                    created=now,
                )
            )
            session.flush()
            view = build_view(session, row, history=True)
        log.info("data request received", extra={"request_id": request_id})
        return view

    def page(
        self,
        *,
        status: str = "",
        text: str = "",
        organization: str = "",
        page: int = 1,
        per_page: int = PAGE_SIZE,
    ) -> RequestPage:
        """Return one page of the public list, newest first (hidden requests left out).

        ``status`` filters by status, ``text`` by words (all of them, accents optional),
        ``organization`` (name or id) by asked organization. Raises ``InvalidInput`` for an
        unknown status or a query past ``MAX_QUERY_CHARS``.
        """
        if status and status not in {s.value for s in RequestStatus}:
            raise InvalidInput("unknown status", {"status": ["unknown_status"]})
        if len(text) > MAX_QUERY_CHARS:
            raise InvalidInput("query too long", {"q": ["too_long"]})
        page = min(max(page, 1), MAX_PAGE)
        per_page = min(max(per_page, 1), 100)
        where: list[ColumnElement[bool]] = [DataRequest.hidden.is_(False)]
        if status:
            where.append(DataRequest.status == status)
        for word in fold(text).split()[:MAX_QUERY_WORDS]:
            where.append(DataRequest.search_text.like(_like(word), escape="\\"))
        with self._sessions() as session:
            if organization.strip():
                org = _find_org(session, organization.strip())
                if org is None:
                    return RequestPage((), 0, page, per_page)
                where.append(DataRequest.organization_id == org.id)
            total = int(
                session.scalar(select(func.count()).select_from(DataRequest).where(*where)) or 0
            )
            rows = session.scalars(
                select(DataRequest)
                .where(*where)
                .order_by(DataRequest.created.desc(), DataRequest.id)
                .limit(per_page)
                .offset((page - 1) * per_page)
            ).all()
            items = tuple(build_view(session, r) for r in rows)
        return RequestPage(items, total, page, per_page)

    def get(self, actor: Actor, request_id: str) -> DataRequestView:
        """Return one request with its history; hidden ones only to sysadmins."""
        with self._sessions() as session:
            row = session.get(DataRequest, request_id)
            if row is None or (row.hidden and not self.may_moderate(actor)):
                raise NotFound("data request not found")
            return build_view(session, row, history=True)

    def vote(self, actor: Actor, request_id: str, client: str) -> bool:
        """Count "I need this too" once per account (or per ``client`` when anonymous).

        Returns False when this voter already voted. Raises ``NotFound`` for a hidden or
        unknown request, ``TooManyDataRequests`` past ``VOTE_THROTTLE_COUNT`` an hour.
        """
        voter = f"user:{actor.user_id}" if actor.user_id else f"client:{client}"
        now = self._clock()
        try:
            with self._sessions.begin() as session:
                row = session.get(DataRequest, request_id)
                if row is None or row.hidden:
                    raise NotFound("data request not found")
                if session.scalar(
                    select(DataRequestVote.id).where(
                        DataRequestVote.request_id == request_id, DataRequestVote.voter == voter
                    )
                ):
                    return False
                recent = session.scalar(
                    select(func.count())
                    .select_from(DataRequestVote)
                    .where(
                        DataRequestVote.voter == voter,
                        DataRequestVote.created > now - THROTTLE_PERIOD,
                    )
                )
                if int(recent or 0) >= VOTE_THROTTLE_COUNT:
                    raise TooManyDataRequests("too many votes")
                session.add(DataRequestVote(request_id=request_id, voter=voter, created=now))
                row.votes = DataRequest.votes + 1
        except IntegrityError:  # the same voter at the same moment: counted once
            return False
        return True

    def may_answer(self, actor: Actor, organization_id: str | None) -> bool:
        """Stewards of the asked organization; any organization's stewards when none."""
        if organization_id is not None:
            return can(actor, Permission.ANSWER_DATA_REQUEST, organization_id)
        return bool(organizations_where(actor, Permission.ANSWER_DATA_REQUEST))

    def may_moderate(self, actor: Actor) -> bool:
        """Sysadmins hide spam."""
        return can(actor, Permission.MODERATE_DATA_REQUESTS)

    def answer(
        self, actor: Actor, request_id: str, status: str, note: str = "", dataset: str = ""
    ) -> DataRequestView:
        """Move a request to ``status`` with ``note``; mail the requester.

        ``declined`` needs a reason, ``answered`` an answer, ``published`` the name of a
        published ``dataset``. Raises ``NotFound``, ``PermissionDenied`` (not a steward of
        the asked organization) or ``InvalidInput``.
        """
        try:
            new_status = RequestStatus(status)
        except ValueError:
            new_status = RequestStatus.OPEN
        note = note.strip()
        errors: dict[str, list[str]] = {}
        if new_status not in ANSWERS:
            errors["status"] = ["unknown_status"]
        if len(note) > MAX_ANSWER:
            errors["note"] = ["too_long"]
        elif not note and new_status in (RequestStatus.DECLINED, RequestStatus.ANSWERED):
            errors["note"] = ["reason_required"]
        now = self._clock()
        with self._sessions.begin() as session:
            row = session.get(DataRequest, request_id)
            if row is None or row.hidden:
                raise NotFound("data request not found")
            if not self.may_answer(actor, row.organization_id):
                raise PermissionDenied("not allowed: answer", permission="answer_data_request")
            linked = None
            if new_status is RequestStatus.PUBLISHED:
                linked = session.scalar(
                    select(Dataset).where(
                        (Dataset.name == dataset.strip()) | (Dataset.id == dataset.strip())
                    )
                )
                if linked is None or linked.state != DatasetState.PUBLISHED.value:
                    errors["dataset"] = ["unknown_dataset"]
            if errors:
                raise InvalidInput("invalid answer", errors)
            row.status, row.answer, row.updated = new_status.value, note, now
            row.dataset_id = linked.id if linked is not None else None
            session.add(
                DataRequestEvent(
                    request_id=row.id,
                    status=new_status.value,
                    note=note,
                    actor_id=actor.user_id,
                    created=now,
                )
            )
            session.flush()
            view = build_view(session, row, history=True)
            to = self._requester_email(session, row)
        log.info("data request answered", extra={"request_id": request_id, "status": status})
        if to:
            self._mail(to, view)
        return view

    def hide(self, actor: Actor, request_id: str, hidden: bool = True) -> None:
        """Hide a request (spam) from every list and page, or show it again; sysadmins."""
        if not self.may_moderate(actor):
            raise PermissionDenied("not allowed: moderate", permission="moderate_data_requests")
        with self._sessions.begin() as session:
            row = session.get(DataRequest, request_id)
            if row is None:
                raise NotFound("data request not found")
            row.hidden = hidden
        log.info("data request moderated", extra={"request_id": request_id, "hidden": hidden})

    def open_for(self, actor: Actor) -> list[DataRequestView]:
        """Open requests ``actor`` may answer: their organizations' and those asking nobody."""
        orgs = organizations_where(actor, Permission.ANSWER_DATA_REQUEST)
        if not orgs:
            return []
        with self._sessions() as session:
            rows = session.scalars(
                select(DataRequest)
                .where(
                    DataRequest.hidden.is_(False),
                    DataRequest.status == RequestStatus.OPEN.value,
                    DataRequest.organization_id.in_(orgs) | DataRequest.organization_id.is_(None),
                )
                .order_by(DataRequest.votes.desc(), DataRequest.created)
                .limit(STEWARD_LIST)
            ).all()
            return [build_view(session, r) for r in rows]

    def _requester_email(self, session: Session, row: DataRequest) -> str:
        if row.requester_id:
            user = session.get(User, row.requester_id)
            return user.email if user is not None and user.is_active else ""
        if row.contact_email:
            return open_text(self._key, row.contact_email, _context(row.id))
        return ""

    def _mail(self, to: str, view: DataRequestView) -> None:
        vi, en = _LABELS[view.status]
        link = f"{self._site}/requests/{view.id}"
        lines = [
            f"Yêu cầu dữ liệu «{view.title}» đã được cập nhật: {vi}.",
            f"Your data request “{view.title}” was updated: {en}.",
            "",
        ]
        if view.answer:
            lines += [view.answer, ""]
        if view.dataset:
            lines += [f"{self._site}/dataset/{view.dataset}", ""]
        lines.append(link)
        mail = Mail(
            to=(to,), subject=f"Yêu cầu dữ liệu / Data request: {vi} / {en}", body="\n".join(lines)
        )
        try:
            self._mailer.send(mail)
        except OSError:  # the answer is stored and shown on the request's page
            log.exception("data request mail failed", extra={"request_id": view.id})


def _find_org(session: Session, key: str) -> Organization | None:
    return session.scalar(
        select(Organization).where((Organization.name == key) | (Organization.id == key))
    )


def _context(request_id: str) -> str:
    return f"data_requests:{request_id}:contact_email"


__all__ = [
    "ANSWERS",
    "DataRequestView",
    "DataRequests",
    "NewRequest",
    "RequestPage",
    "RequestStatus",
    "TooManyDataRequests",
    "fold",
]
