"""Access levels of a dataset and what each audience may read of it (issue 18).

A dataset's level is chosen by its publisher on the working revision and approved like any
other change. Whatever the level, its *metadata* is public (so people know the data exists
and how to get it); what differs is which *projection* of its files an actor may read:

- ``PUBLIC``: the file stripped by the public decisions (today's public file);
- ``AGENCY``: the file stripped by the agency decisions, which may keep more (a citizen ID
  hashed with the portal key, a phone masked instead of dropped) and never more than the
  steward approved;
- ``NONE``: metadata only.

``decide_access`` is the one place that decision is made; every data surface asks it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from publishers import Actor


class AccessLevel(StrEnum):
    """Who may read a dataset's data (its metadata is public at every level)."""

    PUBLIC = "public"  # everyone
    REGISTERED = "registered"  # any signed-in account
    AGENCIES = "agencies"  # staff of any organization on the portal
    RESTRICTED = "restricted"  # holders of a grant for the dataset
    CATALOG_ONLY = "catalog-only"  # reachable outside the portal only; how to ask is stated


ACCESS_LEVELS: tuple[str, ...] = tuple(level.value for level in AccessLevel)
# Levels whose readers get the agency projection rather than the public file.
AGENCY_LEVELS = frozenset({AccessLevel.AGENCIES.value, AccessLevel.RESTRICTED.value})

# The EU access-right vocabulary (DCAT-AP ``dct:accessRights``) for each level.
EU_ACCESS_RIGHTS = "http://publications.europa.eu/resource/authority/access-right/"
EU_ACCESS_RIGHT = {
    AccessLevel.PUBLIC.value: EU_ACCESS_RIGHTS + "PUBLIC",
    AccessLevel.REGISTERED.value: EU_ACCESS_RIGHTS + "RESTRICTED",
    AccessLevel.AGENCIES.value: EU_ACCESS_RIGHTS + "RESTRICTED",
    AccessLevel.RESTRICTED.value: EU_ACCESS_RIGHTS + "RESTRICTED",
    AccessLevel.CATALOG_ONLY.value: EU_ACCESS_RIGHTS + "NON_PUBLIC",
}
# Project Open Data (data.json) ``accessLevel`` for each level.
DATA_JSON_ACCESS_LEVEL = {
    AccessLevel.PUBLIC.value: "public",
    AccessLevel.REGISTERED.value: "restricted public",
    AccessLevel.AGENCIES.value: "restricted public",
    AccessLevel.RESTRICTED.value: "restricted public",
    AccessLevel.CATALOG_ONLY.value: "non-public",
}


class Projection(StrEnum):
    """Which file of a dataset an actor reads."""

    NONE = "none"
    PUBLIC = "public"
    AGENCY = "agency"


@dataclass(frozen=True)
class GrantInfo:
    """An active grant as the access decision needs it."""

    id: str
    columns: tuple[str, ...] | None  # None: every column of the agency projection


@dataclass(frozen=True)
class Access:
    """What one actor may read of one dataset, and on which grant."""

    projection: Projection
    grant_id: str | None = None
    # The agency columns the grant allows; None: all of them.
    columns: tuple[str, ...] | None = None
    level: str = AccessLevel.PUBLIC.value  # the dataset's level

    @property
    def reads_data(self) -> bool:
        """True when the actor may read some file of the dataset."""
        return self.projection is not Projection.NONE

    @property
    def logged(self) -> bool:
        """True when reads made with this access go to the access log (non-public data)."""
        return self.reads_data and self.level != AccessLevel.PUBLIC.value


NO_ACCESS = Access(Projection.NONE)
PUBLIC_ACCESS = Access(Projection.PUBLIC)


def is_staff(actor: Actor) -> bool:
    """True for a member of any organization on the portal, or a sysadmin."""
    return actor.is_sysadmin or bool(actor.roles)


def token_allows(actor: Actor, dataset_id: str, dataset_name: str) -> bool:
    """True unless the actor's API token is limited to other datasets."""
    limit = actor.datasets
    return limit is None or dataset_id in limit or dataset_name in limit


def decide_access(
    level: str,
    actor: Actor,
    owner_organization_id: str,
    grant: GrantInfo | None = None,
    *,
    dataset_id: str = "",
    dataset_name: str = "",
) -> Access:
    """Return what ``actor`` may read of a published dataset at ``level``.

    - ``public``: the public file for everyone.
    - ``registered``: the public file for any signed-in account.
    - ``agencies``: the agency projection for staff of any organization (and sysadmins), or
      for a grant holder.
    - ``restricted``: the agency projection for the owning organization's members and for
      grant holders only (a sysadmin needs a grant like anyone else).
    - ``catalog-only``: metadata only; the data lives outside the portal.

    An API token limited to named datasets reads only those beyond the public ones.
    """
    if level == AccessLevel.PUBLIC.value:
        return PUBLIC_ACCESS
    none = Access(Projection.NONE, level=level)
    if actor.is_anonymous or level not in ACCESS_LEVELS or level == AccessLevel.CATALOG_ONLY:
        return none
    if (dataset_id or dataset_name) and not token_allows(actor, dataset_id, dataset_name):
        return none
    if level == AccessLevel.REGISTERED.value:
        return Access(Projection.PUBLIC, level=level)
    if owner_organization_id in actor.roles:
        return Access(Projection.AGENCY, level=level)
    if grant is not None:
        return Access(Projection.AGENCY, grant_id=grant.id, columns=grant.columns, level=level)
    if level == AccessLevel.AGENCIES.value and is_staff(actor):
        return Access(Projection.AGENCY, level=level)
    return none


def narrow_columns(names: Iterable[str], access: Access) -> list[str]:
    """Return the column names of ``names`` that ``access`` may read, in their order."""
    if access.columns is None:
        return list(names)
    allowed = set(access.columns)
    return [name for name in names if name in allowed]
