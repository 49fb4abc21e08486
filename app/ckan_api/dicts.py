"""CKAN dicts built from the portal's values: packages, resources, organizations, groups.

Public dicts come only from ``PublicDataset`` (``package_from_public``); members of the
owning organization also see drafts, built from the revision they work on
(``package_from_member``, from ``datasets.members``). Lifecycle mapping (SPEC §4): CKAN
``state`` is ``active`` only for a published dataset, ``deleted`` for a withdrawn one and
``draft`` otherwise; ``private`` is true for anything not published or not at the
``public`` access level. ``lifecycle_state``, ``has_pending_revision``, ``access_level`` and
``access_instructions`` add the portal's own view (unknown keys are tolerated by CKAN
clients). A dataset at any other level than ``public`` lists resources only to a reader
who may read them (``datasets.audience``), and its tables are not in the datastore.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from datasets import (
    CKAN_EXTRA_FIELDS,
    MemberDataset,
    MemberResource,
    PublicDataset,
    PublicOrganization,
    PublicResource,
    PublicTheme,
    find_license,
)
from datasets.model import Activity, DatasetState
from datasets.places import coverage_label, place_catalogue
from datasets.public import PUBLIC_COMMENTS

# Stable ids for things the portal keys by name (tags, themes), as CKAN clients expect UUIDs.
_NAMESPACE = uuid.UUID("6f1c1f53-8f0a-4f43-9f37-0b6f1f0c3a11")

# Keys of a stock CKAN package dict the portal has no value for: present (empty) so that
# clients indexing ``pkg["author"]`` never fail. Personal names and e-mail addresses are
# never filled in: the dataset's contact is its organization.
EMPTY_PACKAGE_KEYS: Mapping[str, Any] = {
    "author": None,
    "author_email": None,
    "maintainer": None,
    "maintainer_email": None,
    "url": "",
    "version": None,
}

DownloadUrl = Callable[[str, str, str], str]  # (dataset name, resource id, filename) → URL


@dataclass(frozen=True)
class DictContext:
    """What dicts need beyond the dataset: URLs, theme titles, organization creation times."""

    download_url: DownloadUrl
    themes: Mapping[str, PublicTheme]
    org_created: Mapping[str, datetime]


def iso(moment: datetime | None) -> str | None:
    """Return CKAN's timestamp form: naive UTC ISO 8601 (``2024-05-01T08:30:00.123456``)."""
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat()


def stable_id(kind: str, name: str) -> str:
    """Return a UUID that stays the same for a tag or theme name."""
    return str(uuid.uuid5(_NAMESPACE, f"{kind}:{name}"))


def ckan_hash(sha256: str | None) -> str:
    """Return CKAN's free-form ``hash`` as ``sha256:<hex>``, the form Frictionless reads
    (a bare hex digest would be taken for MD5); ``sha256`` carries the bare digest."""
    return f"sha256:{sha256}" if sha256 else ""


def ckan_state(state: str) -> str:
    """Map a lifecycle state onto CKAN's ``state``."""
    if state == DatasetState.PUBLISHED.value:
        return "active"
    if state == DatasetState.WITHDRAWN.value:
        return "deleted"
    return "draft"


def tag_dict(name: str) -> dict[str, Any]:
    """Return a CKAN tag dict."""
    return {
        "id": stable_id("tag", name),
        "name": name,
        "display_name": name,
        "state": "active",
        "vocabulary_id": None,
    }


def group_dict(
    name: str, theme: PublicTheme | None, package_count: int | None = None
) -> dict[str, Any]:
    """Return a CKAN group dict for a theme."""
    title = theme.title if theme else name
    out: dict[str, Any] = {
        "id": stable_id("theme", name),
        "name": name,
        "title": title,
        "display_name": title,
        "title_translated": {"vi": title, "en": theme.title_en if theme else ""},
        "description": "",
        "image_url": "",
        "image_display_url": "",
        "type": "group",
        "is_organization": False,
        "state": "active",
        "approval_status": "approved",
        "eu_theme": theme.eu_theme if theme else "",
    }
    if package_count is not None:
        out["package_count"] = package_count
    return out


def organization_dict(
    org: PublicOrganization, created: datetime | None, package_count: int | None = None
) -> dict[str, Any]:
    """Return a CKAN organization dict."""
    out: dict[str, Any] = {
        "id": org.id,
        "name": org.name,
        "title": org.title,
        "display_name": org.title,
        "title_translated": {"vi": org.title, "en": org.title_en},
        "description": org.description,
        "image_url": "",
        "image_display_url": "",
        "created": iso(created),
        "is_organization": True,
        "type": "organization",
        "state": "active",
        "approval_status": "approved",
        "email": org.email,
        "url": org.homepage,
        "extras": [],
        "groups": [],
        "tags": [],
        "users": [],
        "num_followers": 0,
    }
    if package_count is not None:
        out["package_count"] = package_count
    return out


def resource_from_public(
    resource: PublicResource, view: PublicDataset, position: int, ctx: DictContext
) -> dict[str, Any]:
    """Return the CKAN resource dict of a published resource (``url`` downloads it)."""
    url = resource.url or ctx.download_url(view.name, resource.id, resource.filename)
    return {
        "id": resource.id,
        "package_id": view.id,
        "name": resource.name,
        "description": resource.description,
        "url": url,
        "url_type": None if resource.url else "upload",
        "format": resource.format,
        "mimetype": resource.media_type or None,
        "mimetype_inner": None,
        "size": resource.size,
        "hash": ckan_hash(resource.sha256),
        "sha256": resource.sha256,
        "created": iso(resource.created),
        "last_modified": iso(resource.modified),
        "metadata_modified": iso(resource.modified),
        # Only public datasets are loaded into the datastore.
        "datastore_active": resource.is_tabular and view.access_level == "public",
        "row_count": resource.row_count,
        "projection": resource.projection,
        "position": position,
        "state": "active",
        "resource_type": None,
        "cache_url": None,
        "cache_last_updated": None,
        "revision_id": view.revision_id,
    }


def _extras(values: object, more: Mapping[str, str] | None) -> list[dict[str, str]]:
    """Return CKAN ``extras``: the fields CKAN carries there, read from ``values`` (a public
    view or a revision), and the dataset's own pairs ``more``."""
    pairs = {spec.name: str(getattr(values, spec.name) or "") for spec in CKAN_EXTRA_FIELDS}
    # CKAN's ``spatial`` carries the units by name ("Phường Bến Thành; Quận 1") and any text
    # that named none; writing it back resolves the same units (``datasets.places``).
    units = tuple(getattr(values, "spatial_units", None) or ())
    if units:
        pairs["spatial"] = coverage_label(place_catalogue(), units, pairs["spatial"])
    pairs.update(more or {})
    return [{"key": k, "value": v} for k, v in sorted(pairs.items()) if v]


def _license_fields(license_id: str) -> dict[str, Any]:
    found = find_license(license_id)
    return {
        "license_id": license_id,
        "license_title": found.title if found else license_id,
        "license_url": found.url if found else "",
        "isopen": found is not None,
    }


def package_from_public(view: PublicDataset, ctx: DictContext) -> dict[str, Any]:
    """Return the full CKAN package dict of a published dataset."""
    resources = [resource_from_public(r, view, i, ctx) for i, r in enumerate(view.resources)]
    return {
        "id": view.id,
        "name": view.name,
        "title": view.title,
        "notes": view.description,
        "title_translated": {"vi": view.title, "en": view.title_en},
        "notes_translated": {"vi": view.description, "en": view.description_en},
        "type": "dataset",
        "state": "active",
        "private": view.access_level != "public",
        "access_level": view.access_level,
        "access_instructions": view.access_instructions,
        "lifecycle_state": DatasetState.PUBLISHED.value,
        "has_pending_revision": False,
        "owner_org": view.organization.id,
        "organization": organization_dict(
            view.organization, ctx.org_created.get(view.organization.id)
        ),
        "creator_user_id": None,
        **EMPTY_PACKAGE_KEYS,
        "revision_id": view.revision_id,
        **_license_fields(view.license_id),
        "metadata_created": iso(view.created),
        "metadata_modified": iso(view.modified),
        "tags": [tag_dict(t) for t in view.tags],
        "num_tags": len(view.tags),
        "groups": [group_dict(t, ctx.themes.get(t)) for t in view.themes],
        "extras": _extras(view, view.extras),
        "resources": resources,
        "num_resources": len(resources),
        "relationships_as_subject": [],
        "relationships_as_object": [],
    }


def _resource_from_member(
    resource: MemberResource, view: MemberDataset, ctx: DictContext
) -> dict[str, Any]:
    sha = resource.public_sha256
    url = resource.url or ""
    if not url and resource.is_public:  # the public file is downloadable
        url = ctx.download_url(view.name, resource.resource_id, resource.filename)
    return {
        "id": resource.resource_id,
        "package_id": view.id,
        "name": resource.name,
        "description": resource.description,
        "url": url,
        "url_type": None if resource.url else "upload",
        "format": resource.format,
        "mimetype": resource.media_type or None,
        "mimetype_inner": None,
        "size": resource.public_size,
        "hash": ckan_hash(sha),
        "sha256": sha,
        "created": iso(resource.created),
        "last_modified": iso(resource.created),
        "datastore_active": False,
        "position": resource.position,
        "state": "active",
        "processing_status": resource.status,
        "resource_type": None,
        "cache_url": None,
        "cache_last_updated": None,
        "revision_id": view.revision_id,
    }


def package_from_member(view: MemberDataset, ctx: DictContext) -> dict[str, Any]:
    """Return the CKAN package dict of the revision members work on (``datasets.members``)."""
    resources = [_resource_from_member(r, view, ctx) for r in view.resources]
    org = view.organization
    return {
        "id": view.id,
        "name": view.name,
        "title": view.title,
        "notes": view.description,
        "title_translated": {"vi": view.title, "en": view.title_en},
        "notes_translated": {"vi": view.description, "en": view.description_en},
        "type": "dataset",
        "state": ckan_state(view.state),
        "private": view.state != DatasetState.PUBLISHED.value or view.access_level != "public",
        "access_level": view.access_level,
        "access_instructions": view.access_instructions,
        "lifecycle_state": view.state,
        "revision_status": view.revision_status,
        "has_pending_revision": view.has_pending_revision,
        "owner_org": org.id,
        "organization": organization_dict(org, ctx.org_created.get(org.id)),
        "creator_user_id": view.created_by,
        **EMPTY_PACKAGE_KEYS,
        "revision_id": view.revision_id,
        **_license_fields(view.license_id),
        "metadata_created": iso(view.created),
        "metadata_modified": iso(view.modified),
        "tags": [tag_dict(t) for t in view.tags],
        "num_tags": len(view.tags),
        "groups": [group_dict(t, ctx.themes.get(t)) for t in view.themes],
        "extras": _extras(view, view.extras),
        "resources": resources,
        "num_resources": len(resources),
        "relationships_as_subject": [],
        "relationships_as_object": [],
    }


_ACTIVITY_TYPES = {
    "create": "new package",
    "withdraw": "deleted package",
}


def activity_dict(
    activity: Activity, package: Mapping[str, Any], *, show_user: bool
) -> dict[str, Any]:
    """Return a CKAN activity dict; the acting user's id and review comments only for
    members (the public sees the comments of approvals and withdrawals, as on the web)."""
    public_comment = show_user or activity.action in PUBLIC_COMMENTS
    return {
        "id": activity.id,
        "timestamp": iso(activity.created),
        "activity_type": _ACTIVITY_TYPES.get(activity.action, "changed package"),
        "object_id": activity.dataset_id,
        "user_id": activity.actor_id if show_user else None,
        "data": {
            "package": {
                "id": package.get("id"),
                "name": package.get("name"),
                "title": package.get("title"),
            },
            "action": activity.action,
            "from_state": activity.from_state,
            "to_state": activity.to_state,
            "comment": activity.comment if public_comment else "",
        },
    }
