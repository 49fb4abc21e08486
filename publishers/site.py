"""Site content edited by sysadmins (SPEC §5): title, about page, featured datasets.

Stored in the database (``site_content``), not in deployment settings, so it changes
without a restart. Featured datasets are kept as dataset names; public pages show only
those that are published.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from publishers.audit import Audit
from publishers.db import utcnow
from publishers.errors import InvalidInput
from publishers.model import SiteSetting
from publishers.permissions import Actor, Permission, require

MAX_FEATURED = 12
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,199}$")


@dataclass(frozen=True)
class SiteContent:
    """What sysadmins write: empty strings fall back to the built-in texts."""

    title_vi: str = ""
    title_en: str = ""
    about_vi: str = ""
    about_en: str = ""
    featured: tuple[str, ...] = ()


class Site:
    """Reads and saves the site content."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        audit: Audit,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self._audit = audit
        self._clock = clock

    def content(self) -> SiteContent:
        """Return the current site content (defaults for anything never saved)."""
        with self._sessions() as session:
            values = {row.key: row.value for row in session.query(SiteSetting).all()}
        featured = tuple(json.loads(values.get("featured") or "[]"))
        return SiteContent(
            title_vi=values.get("title_vi", ""),
            title_en=values.get("title_en", ""),
            about_vi=values.get("about_vi", ""),
            about_en=values.get("about_en", ""),
            featured=featured,
        )

    def save(self, actor: Actor, content: SiteContent) -> None:
        """Replace the site content; sysadmins only; raise ``InvalidInput`` on bad values."""
        require(actor, Permission.MANAGE_SITE)
        errors: dict[str, list[str]] = {}
        if len(content.featured) > MAX_FEATURED:
            errors["featured"] = ["too_many"]
        if any(not _SLUG.match(name) for name in content.featured):
            errors.setdefault("featured", []).append("invalid_name")
        for name in ("title_vi", "title_en"):
            if len(getattr(content, name)) > 200:
                errors[name] = ["too_long"]
        if errors:
            raise InvalidInput("invalid site content", errors)
        now = self._clock()
        with self._sessions.begin() as session:
            for f in fields(SiteContent):
                value = getattr(content, f.name)
                stored = json.dumps(list(value)) if f.name == "featured" else value.strip()
                row = session.get(SiteSetting, f.name) or SiteSetting(key=f.name)
                row.value, row.updated, row.updated_by = stored, now, actor.user_id
                session.add(row)
            self._audit.record_in(session, actor.user_id, "site.update", "site")
