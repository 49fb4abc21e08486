"""Site content edited by sysadmins (SPEC §5): title, the site's pages (about, terms of use,
privacy, contact), featured datasets.

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
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
# White text on the brand colour (header, buttons) needs WCAG AA contrast for normal text.
MIN_CONTRAST = 4.5
MAX_PAGE_CHARS = 20_000
# The site's own pages, each with a Vietnamese and an English text (``<page>_vi``/``_en``).
SITE_PAGES = ("about", "terms", "privacy", "contact")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,199}$")


@dataclass(frozen=True)
class SiteContent:
    """What sysadmins write: empty strings fall back to the built-in texts."""

    title_vi: str = ""
    title_en: str = ""
    about_vi: str = ""
    about_en: str = ""
    featured: tuple[str, ...] = ()
    terms_vi: str = ""
    terms_en: str = ""
    privacy_vi: str = ""
    privacy_en: str = ""
    contact_vi: str = ""
    contact_en: str = ""
    brand_color: str = ""  # "#rrggbb": the city's colour for header, links and buttons

    def page(self, name: str, language: str) -> str:
        """The text of a site page in ``language`` (Vietnamese when English is empty)."""
        vi, en = getattr(self, f"{name}_vi"), getattr(self, f"{name}_en")
        return str(en if language == "en" and en else vi)


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
        names = (f.name for f in fields(SiteContent) if f.name != "featured")
        texts = {name: values.get(name, "") for name in names}
        return SiteContent(featured=featured, **texts)

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
        if content.brand_color and not _COLOR.match(content.brand_color):
            errors["brand_color"] = ["invalid_color"]
        elif content.brand_color and contrast_with_white(content.brand_color) < MIN_CONTRAST:
            errors["brand_color"] = ["low_contrast"]
        for page in SITE_PAGES:
            for name in (f"{page}_vi", f"{page}_en"):
                if len(getattr(content, name)) > MAX_PAGE_CHARS:
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


def _luminance(color: str) -> float:
    """Relative luminance of ``#rrggbb`` (WCAG 2)."""
    channels = [int(color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_with_white(color: str) -> float:
    """WCAG contrast ratio of white text on ``#rrggbb`` (1 to 21)."""
    return 1.05 / (_luminance(color) + 0.05)


def darker(color: str, factor: float = 0.8) -> str:
    """``#rrggbb`` with each channel scaled by ``factor`` (hover and accents)."""
    return "#" + "".join(f"{int(int(color[i : i + 2], 16) * factor):02x}" for i in (1, 3, 5))
