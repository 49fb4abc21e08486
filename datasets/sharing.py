"""Data sharing between agencies (issue 18): requests, grants and the access log.

- A signed-in user asks for access to a ``restricted`` (or ``agencies``) dataset, for
  themselves or for their organization: purpose (required), legal basis, columns, period.
- The owning organization's stewards approve (an expiry, optionally fewer columns), refuse
  with a reason, or revoke. A grant is the agreement on record; it ends by itself at its
  expiry, and a revoked or expired grant stops every read at once (tokens included).
- Every read of non-public data is logged, never the data itself.

``access_for`` is what every data surface calls; it combines the dataset's level
(``datasets.access.decide_access``) with the reader's active grant.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from datasets.access import (
    AGENCY_LEVELS,
    Access,
    AccessLevel,
    GrantInfo,
    Projection,
    decide_access,
)
from datasets.model import Dataset, DatasetState
from datasets.sharing_model import AccessLogEntry, AccessRequest, Grant, RequestStatus
from datasets.sharing_views import LOG_COLUMNS as LOG_COLUMNS
from datasets.sharing_views import GrantView as GrantView
from datasets.sharing_views import LogView as LogView
from datasets.sharing_views import RequestView as RequestView
from datasets.sharing_views import (
    aware,
    csv_line,
    grant_view,
    log_view,
    request_view,
)
from publishers import (
    Actor,
    InvalidInput,
    NotFound,
    Organization,
    PermissionDenied,
    Role,
    utcnow,
)

log = logging.getLogger(__name__)

MAX_PURPOSE = 5_000
MAX_COLUMNS = 500
LOG_PAGE = 1_000  # the most log entries one read returns
# Someone told of a decision: (event, request or grant id); events are "requested",
# "approved", "refused", "revoked".
SharingListener = Callable[[str, str], None]


class Sharing:
    """Requests, grants and the access log; see the module docstring."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._listeners: list[SharingListener] = []

    def add_listener(self, listener: SharingListener) -> None:
        """Call ``listener(event, id)`` after each request, decision and revocation commits."""
        self._listeners.append(listener)

    # --- what a reader may read ------------------------------------------------------------

    def access_for(self, session: Session, actor: Actor, dataset: Dataset) -> Access:
        """Return what ``actor`` may read of the published ``dataset`` (NO_ACCESS if none)."""
        live = dataset.live_revision
        level = live.access_level if live is not None else AccessLevel.PUBLIC.value
        grant = None
        if level != AccessLevel.PUBLIC.value and not actor.is_anonymous:
            grant = self.active_grant(session, actor, dataset.id)
        access = decide_access(
            level,
            actor,
            dataset.organization_id,
            grant,
            dataset_id=dataset.id,
            dataset_name=dataset.name,
        )
        if dataset.state != DatasetState.PUBLISHED.value:
            return Access(Projection.NONE, level=level)
        return access

    def active_grant(self, session: Session, actor: Actor, dataset_id: str) -> GrantInfo | None:
        """Return the actor's widest active grant for the dataset (theirs or their org's)."""
        holders = [Grant.user_id == actor.user_id]
        if actor.roles:
            holders.append(Grant.organization_id.in_(list(actor.roles)))
        rows = session.scalars(
            select(Grant).where(
                Grant.dataset_id == dataset_id,
                Grant.revoked_at.is_(None),
                Grant.expires > self._clock(),
                or_(*holders),
            )
        ).all()
        if not rows:
            return None
        whole = next((g for g in rows if g.columns is None), None)
        if whole is not None:
            return GrantInfo(whole.id, None)
        chosen = max(rows, key=lambda g: len(g.columns or ()))
        columns = tuple(dict.fromkeys(c for g in rows for c in (g.columns or ())))
        return GrantInfo(chosen.id, columns)

    def record(
        self,
        actor: Actor,
        access: Access,
        dataset_id: str,
        *,
        surface: str,
        resource_id: str = "",
        rows: int | None = None,
    ) -> None:
        """Log one read of non-public data (nothing for public data)."""
        if not access.logged:
            return
        with self._sessions.begin() as session:
            session.add(
                AccessLogEntry(
                    created=self._clock(),
                    dataset_id=dataset_id,
                    resource_id=resource_id,
                    user_id=actor.user_id,
                    organization_ids=sorted(actor.roles),
                    surface=surface[:30],
                    projection=access.projection.value,
                    rows=rows,
                    grant_id=access.grant_id,
                )
            )

    # --- requests ----------------------------------------------------------------------------

    def request_access(
        self,
        actor: Actor,
        dataset_name: str,
        *,
        purpose: str,
        legal_basis: str = "",
        columns: Sequence[str] | None = None,
        until: date | None = None,
        organization_id: str | None = None,
    ) -> RequestView:
        """Record a request for access; raise ``InvalidInput`` naming each bad field.

        ``columns`` may only name columns of the dataset's agency projection.
        ``organization_id`` asks for every member of that organization, which the requester
        must belong to.
        """
        if actor.user_id is None:
            raise PermissionDenied("sign in to ask for access", permission="request_access")
        errors: dict[str, list[str]] = {}
        purpose = purpose.strip()
        if not purpose:
            errors.setdefault("purpose", []).append("required")
        if len(purpose) > MAX_PURPOSE or len(legal_basis) > MAX_PURPOSE:
            errors.setdefault("purpose", []).append("too_long")
        if until is not None and until <= self._clock().date():
            errors.setdefault("until", []).append("in_the_past")
        if organization_id is not None and organization_id not in actor.roles:
            errors.setdefault("organization", []).append("not_a_member")
        with self._sessions.begin() as session:
            dataset = _published(session, dataset_name)
            level = dataset.live_revision.access_level if dataset.live_revision else "public"
            if level not in AGENCY_LEVELS:
                errors.setdefault("dataset", []).append("not_restricted")
            wanted = _columns(columns, agency_columns(dataset), errors)
            pending = session.scalar(
                select(AccessRequest.id).where(
                    AccessRequest.dataset_id == dataset.id,
                    AccessRequest.requester_id == actor.user_id,
                    AccessRequest.status == RequestStatus.PENDING.value,
                )
            )
            if pending is not None:
                errors.setdefault("dataset", []).append("already_pending")
            if errors:
                raise InvalidInput("invalid access request", errors)
            request = AccessRequest(
                dataset_id=dataset.id,
                requester_id=actor.user_id,
                organization_id=organization_id,
                purpose=purpose,
                legal_basis=legal_basis.strip(),
                columns=wanted,
                until=until,
                status=RequestStatus.PENDING.value,
                reason="",
                created=self._clock(),
            )
            session.add(request)
            session.flush()
            view = request_view(session, request)
        self._tell("requested", view.id)
        return view

    def requests(self, actor: Actor, *, organization_id: str | None = None) -> list[RequestView]:
        """The actor's own requests, or (as its steward) those for an organization's datasets."""
        with self._sessions() as session:
            query = select(AccessRequest).order_by(AccessRequest.created.desc())
            if organization_id is None:
                query = query.where(AccessRequest.requester_id == actor.user_id)
            else:
                _require_steward(actor, organization_id)
                query = query.join(Dataset, Dataset.id == AccessRequest.dataset_id).where(
                    Dataset.organization_id == organization_id
                )
            return [request_view(session, r) for r in session.scalars(query.limit(LOG_PAGE))]

    def get_request(self, actor: Actor, request_id: str) -> RequestView:
        """One request, for its requester or the owning stewards; ``NotFound`` for others."""
        with self._sessions() as session:
            request = session.get(AccessRequest, request_id)
            if request is None or not _may_read_request(session, actor, request):
                raise NotFound("access request not found")
            return request_view(session, request)

    def approve(
        self,
        actor: Actor,
        request_id: str,
        *,
        expires: datetime,
        columns: Sequence[str] | None = None,
    ) -> GrantView:
        """Approve a pending request as a steward of the owning organization; return the grant.

        ``columns`` may only narrow what was asked for; ``expires`` must lie in the future.
        """
        with self._sessions.begin() as session:
            request = self._pending(session, actor, request_id)
            errors: dict[str, list[str]] = {}
            expires = aware(expires)
            if expires <= self._clock():
                errors.setdefault("expires", []).append("in_the_past")
            asked = request.columns
            granted = _columns(columns, None, errors) if columns is not None else asked
            if asked is not None and not set(granted or asked) <= set(asked):
                errors.setdefault("columns", []).append("more_than_asked")
            if errors:
                raise InvalidInput("invalid approval", errors)
            grant = Grant(
                dataset_id=request.dataset_id,
                user_id=None if request.organization_id else request.requester_id,
                organization_id=request.organization_id,
                request_id=request.id,
                projection="agency",
                columns=granted,
                purpose=request.purpose,
                legal_basis=request.legal_basis,
                approved_by=actor.user_id,
                created=self._clock(),
                expires=expires,
            )
            session.add(grant)
            session.flush()
            request.status = RequestStatus.APPROVED.value
            request.decided_by, request.decided_at = actor.user_id, self._clock()
            request.grant_id = grant.id
            view = grant_view(session, grant)
        self._tell("approved", request_id)
        return view

    def refuse(self, actor: Actor, request_id: str, *, reason: str) -> RequestView:
        """Refuse a pending request with a reason (required)."""
        if not reason.strip():
            raise InvalidInput("a refusal needs a reason", {"reason": ["required"]})
        with self._sessions.begin() as session:
            request = self._pending(session, actor, request_id)
            request.status = RequestStatus.REFUSED.value
            request.reason = reason.strip()[:MAX_PURPOSE]
            request.decided_by, request.decided_at = actor.user_id, self._clock()
            session.flush()
            view = request_view(session, request)
        self._tell("refused", request_id)
        return view

    # --- grants ------------------------------------------------------------------------------

    def grants(self, actor: Actor, *, organization_id: str | None = None) -> list[GrantView]:
        """Grants the actor holds (theirs and their organizations'); an organization's as its
        steward; every grant for a sysadmin asking with ``organization_id="*"``."""
        with self._sessions() as session:
            query = select(Grant).order_by(Grant.created.desc())
            if organization_id == "*":
                if not actor.is_sysadmin:
                    raise PermissionDenied("not allowed", permission="read_grants")
            elif organization_id is not None:
                _require_steward(actor, organization_id)
                query = query.join(Dataset, Dataset.id == Grant.dataset_id).where(
                    Dataset.organization_id == organization_id
                )
            else:
                holders = [Grant.user_id == actor.user_id]
                if actor.roles:
                    holders.append(Grant.organization_id.in_(list(actor.roles)))
                query = query.where(or_(*holders))
            return [grant_view(session, g) for g in session.scalars(query.limit(LOG_PAGE))]

    def revoke(self, actor: Actor, grant_id: str) -> GrantView:
        """Revoke a grant at once (owning stewards or a sysadmin)."""
        with self._sessions.begin() as session:
            grant = session.get(Grant, grant_id)
            dataset = session.get(Dataset, grant.dataset_id) if grant else None
            if grant is None or dataset is None:
                raise NotFound("grant not found")
            if not actor.is_sysadmin:
                if actor.roles.get(dataset.organization_id) is None:
                    raise NotFound("grant not found")
                _require_steward(actor, dataset.organization_id)
            if grant.revoked_at is None:
                grant.revoked_at, grant.revoked_by = self._clock(), actor.user_id
            view = grant_view(session, grant)
        self._tell("revoked", grant_id)
        return view

    # --- the access log ------------------------------------------------------------------------

    def access_log(
        self, actor: Actor, dataset_name: str, *, limit: int = 100, offset: int = 0
    ) -> list[LogView]:
        """The log of one dataset, newest first, for the owning organization's stewards."""
        with self._sessions() as session:
            dataset = _dataset(session, dataset_name)
            if not actor.is_sysadmin:
                _require_steward(actor, dataset.organization_id, hide=True)
            rows = session.scalars(
                select(AccessLogEntry)
                .where(AccessLogEntry.dataset_id == dataset.id)
                .order_by(AccessLogEntry.id.desc())
                .limit(max(1, min(limit, LOG_PAGE)))
                .offset(max(0, offset))
            ).all()
            return [log_view(session, dataset, entry) for entry in rows]

    def organization_log(self, actor: Actor, organization_id: str) -> list[LogView]:
        """The newest entries of every dataset of an organization, for its stewards."""
        _require_steward(actor, organization_id)
        with self._sessions() as session:
            rows = session.execute(
                select(AccessLogEntry, Dataset)
                .join(Dataset, Dataset.id == AccessLogEntry.dataset_id)
                .where(Dataset.organization_id == organization_id)
                .order_by(AccessLogEntry.id.desc())
                .limit(LOG_PAGE)
            ).all()
            return [log_view(session, dataset, entry) for entry, dataset in rows]

    def export_log(
        self, actor: Actor, organization_id: str, *, dataset_name: str | None = None
    ) -> Iterator[str]:
        """The organization's whole access log (or one dataset's) as CSV text, in pages (the
        processing record). Permission is checked at once, before any line is produced."""
        condition = Dataset.organization_id == organization_id
        if dataset_name is not None:
            with self._sessions() as session:
                dataset = _dataset(session, dataset_name)
                organization_id, condition = dataset.organization_id, Dataset.id == dataset.id
        if not actor.is_sysadmin or dataset_name is None:
            _require_steward(actor, organization_id, hide=dataset_name is not None)
        return self._log_lines(condition)

    def _log_lines(self, condition: Any) -> Iterator[str]:
        yield csv_line(LOG_COLUMNS)
        last = None
        while True:
            with self._sessions() as session:
                query = (
                    select(AccessLogEntry, Dataset)
                    .join(Dataset, Dataset.id == AccessLogEntry.dataset_id)
                    .where(condition)
                    .order_by(AccessLogEntry.id)
                    .limit(LOG_PAGE)
                )
                if last is not None:
                    query = query.where(AccessLogEntry.id > last)
                rows = session.execute(query).all()
                for entry, dataset in rows:
                    data = log_view(session, dataset, entry).to_json()
                    data["organizations"] = " ".join(data["organizations"])
                    yield csv_line(data.values())
            if len(rows) < LOG_PAGE:
                return
            last = rows[-1][0].id

    def agencies_that_read(self, dataset_name: str) -> list[tuple[str, int]]:
        """(organization title, reads) of those that read a dataset's non-public data, for a
        person asking who accessed data about them; never who individually."""
        with self._sessions() as session:
            dataset = _dataset(session, dataset_name)
            counts: dict[str, int] = {}
            entries = session.scalars(
                select(AccessLogEntry.organization_ids).where(
                    AccessLogEntry.dataset_id == dataset.id
                )
            )
            for ids in entries:
                for org_id in ids or ():
                    counts[org_id] = counts.get(org_id, 0) + 1
            names = {
                o.id: o.title
                for o in session.scalars(select(Organization).where(Organization.id.in_(counts)))
            }
            return sorted(((names.get(k, k), v) for k, v in counts.items()), key=lambda x: x[0])

    # --- internals ---------------------------------------------------------------------------

    def _pending(self, session: Session, actor: Actor, request_id: str) -> AccessRequest:
        request = session.get(AccessRequest, request_id)
        dataset = session.get(Dataset, request.dataset_id) if request else None
        if request is None or dataset is None:
            raise NotFound("access request not found")
        if actor.roles.get(dataset.organization_id) is None:
            raise NotFound("access request not found")
        _require_steward(actor, dataset.organization_id)
        if request.status != RequestStatus.PENDING.value:
            raise InvalidInput("already decided", {"status": ["already_decided"]})
        return request

    def _tell(self, event: str, item_id: str) -> None:
        for listener in self._listeners:
            try:
                listener(event, item_id)
            except Exception:  # a notification never undoes a committed decision
                log.exception("sharing notification failed", extra={"event": event})


def agency_columns(dataset: Dataset) -> list[str]:
    """The column names of the dataset's published agency projection (every table)."""
    names: list[str] = []
    live = dataset.live_revision
    for entry in live.entries if live is not None else ():
        schema = entry.version.agency_schema or entry.version.public_schema or {}
        names.extend(f.get("name", "") for f in schema.get("fields", ()))
    return list(dict.fromkeys(n for n in names if n))


def _require_steward(actor: Actor, organization_id: str, *, hide: bool = False) -> None:
    role = actor.roles.get(organization_id)
    if role == Role.STEWARD:
        return
    if hide and role is None:
        raise NotFound("not found")
    raise PermissionDenied("stewards only", permission="manage_sharing")


def _may_read_request(session: Session, actor: Actor, request: AccessRequest) -> bool:
    if request.requester_id == actor.user_id:
        return True
    dataset = session.get(Dataset, request.dataset_id)
    return dataset is not None and actor.roles.get(dataset.organization_id) == Role.STEWARD


def _columns(
    columns: Sequence[str] | None, known: Sequence[str] | None, errors: dict[str, list[str]]
) -> list[str] | None:
    if columns is None:
        return None
    wanted = list(dict.fromkeys(str(c).strip() for c in columns if str(c).strip()))
    if len(wanted) > MAX_COLUMNS:
        errors.setdefault("columns", []).append("too_many")
    if known is not None and not set(wanted) <= set(known):
        errors.setdefault("columns", []).append("unknown_column")
    return wanted or None


def _dataset(session: Session, name: str) -> Dataset:
    dataset = session.scalar(select(Dataset).where((Dataset.name == name) | (Dataset.id == name)))
    if dataset is None:
        raise NotFound("dataset not found")
    return dataset


def _published(session: Session, name: str) -> Dataset:
    dataset = _dataset(session, name)
    if dataset.state != DatasetState.PUBLISHED.value:
        raise NotFound("dataset not found")
    return dataset
