"""Small public types of the catalog: an activity entry, a theme, a harvest provenance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class PublicActivity:
    """One entry of a dataset's public activity: what happened, who did it, when."""

    action: str  # "create", "upload", "submit", "approve", ...
    actor: str  # the account's user name (never its e-mail); "" for the system
    created: datetime
    comment: str  # only publication and withdrawal notes are public


# Comments shown publicly: review notes of rejections stay between publisher and steward.
PUBLIC_COMMENTS = frozenset({"approve", "withdraw"})


@dataclass(frozen=True)
class PublicTheme:
    """A theme (a CKAN group) with its EU data-theme code (e.g. "TRAN")."""

    name: str
    title: str
    title_en: str
    eu_theme: str


@dataclass(frozen=True)
class Provenance:
    """Where a harvested dataset came from."""

    source_name: str
    source_type: str
    remote_id: str
    remote_url: str
    harvested_at: datetime
