"""The audit log of privileged actions: who, when, what, from which (truncated) network.

Entries hold ids, action codes and short non-personal details only; IP addresses are cut
to their network (IPv4 /24, IPv6 /48) before they are stored. Each entry also says through
which surface the action came (``via``: ``web``, ``rest``, ``ckan`` or ``cli``) when known.
Entries older than the retention period are purged on write (at most once an hour per
process).
"""

from __future__ import annotations

import ipaddress
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from publishers.db import utcnow
from publishers.model import AuditEntry, User
from publishers.permissions import Actor, Permission, require

log = logging.getLogger(__name__)
PURGE_INTERVAL = timedelta(hours=1)
PAGE_SIZE = 50


def truncate_ip(address: str | None) -> str:
    """Return the network of ``address`` (IPv4 /24, IPv6 /48), or "" when it is not an IP."""
    if not address:
        return ""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return ""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


@dataclass(frozen=True)
class AuditRow:
    """One audit entry as shown to sysadmins (the actor's user name resolved)."""

    id: int
    created: datetime
    actor_id: str | None
    actor_name: str
    action: str
    target: str
    ip: str
    details: Mapping[str, object]


@dataclass(frozen=True)
class AuditPage:
    """A page of audit entries, newest first."""

    rows: list[AuditRow]
    total: int
    page: int
    page_size: int


class Audit:
    """Records privileged actions and lists them for sysadmins."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        retention_days: int,
        *,
        ip_source: Callable[[], str | None] = lambda: None,
        channel_source: Callable[[], str | None] = lambda: None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self._retention = timedelta(days=retention_days)
        self._ip_source = ip_source
        self._channel_source = channel_source
        # The surface named when ``channel_source`` knows none (the CLI sets "cli").
        self.default_channel = ""
        self._clock = clock
        self._last_purge: datetime | None = None

    def record(
        self,
        actor_id: str | None,
        action: str,
        target: str = "",
        ip: str | None = None,
        details: Mapping[str, object] | None = None,
    ) -> None:
        """Record one action in its own transaction (ip: the caller's, else the request's)."""
        with self._sessions.begin() as session:
            self.record_in(session, actor_id, action, target, ip, details)
        self._purge_now_and_then()

    def record_in(
        self,
        session: Session,
        actor_id: str | None,
        action: str,
        target: str = "",
        ip: str | None = None,
        details: Mapping[str, object] | None = None,
    ) -> None:
        """Add the entry to ``session``: it commits (or not) with the action it records."""
        details = dict(details or {})
        channel = self._channel_source() or self.default_channel
        if channel:
            details.setdefault("via", channel)
        session.add(
            AuditEntry(
                created=self._clock(),
                actor_id=actor_id,
                action=action[:60],
                target=target[:200],
                ip=truncate_ip(ip if ip is not None else self._ip_source()),
                details=json.dumps(details, ensure_ascii=False, sort_keys=True),
            )
        )

    def purge(self) -> int:
        """Delete entries older than the retention period; return how many."""
        cutoff = self._clock() - self._retention
        with self._sessions.begin() as session:
            result = session.execute(delete(AuditEntry).where(AuditEntry.created < cutoff))
        self._last_purge = self._clock()
        count = int(getattr(result, "rowcount", 0) or 0)
        if count:
            log.info("audit entries purged", extra={"count": count})
        return count

    def _purge_now_and_then(self) -> None:
        now = self._clock()
        if self._last_purge is None or now - self._last_purge >= PURGE_INTERVAL:
            self.purge()

    def page(
        self,
        actor: Actor,
        *,
        page: int = 1,
        action: str = "",
        actor_name: str = "",
        page_size: int = PAGE_SIZE,
    ) -> AuditPage:
        """Return one page of entries, newest first, filtered by action prefix and actor.

        Sysadmins only (``PermissionDenied`` otherwise).
        """
        require(actor, Permission.READ_AUDIT)
        page = max(1, page)
        with self._sessions() as session:
            query = select(AuditEntry, User.name).outerjoin(User, User.id == AuditEntry.actor_id)
            if action:
                query = query.where(AuditEntry.action.startswith(action, autoescape=True))
            if actor_name:
                query = query.where(User.name == actor_name)
            total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
            rows = session.execute(
                query.order_by(AuditEntry.created.desc(), AuditEntry.id.desc())
                .offset((page - 1) * page_size)
                .limit(page_size)
            ).all()
            return AuditPage(
                rows=[
                    AuditRow(
                        id=entry.id,
                        created=entry.created,
                        actor_id=entry.actor_id,
                        actor_name=name or "",
                        action=entry.action,
                        target=entry.target,
                        ip=entry.ip,
                        details=json.loads(entry.details or "{}"),
                    )
                    for entry, name in rows
                ],
                total=int(total),
                page=page,
                page_size=page_size,
            )
