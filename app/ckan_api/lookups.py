"""Smaller read actions CKAN clients call: resource search, autocomplete, tags, members, users.

What they may show follows the rest of the API: resources only of datasets published at the
``public`` level (the catalog gives other datasets without resources), a member list's
users only to the organization's members and sysadmins, and ``user_show`` only for the
caller's own account (nobody else's e-mail address is ever answered).
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from app.ckan_api.dicts import (
    group_dict,
    organization_dict,
    resource_from_public,
    tag_dict,
)
from app.ckan_api.errors import denied, not_found, validation_error
from app.ckan_api.params import ActionRequest, flag, integer, required, text, text_list
from app.ckan_api.read import MAX_LIST, dict_context, public_packages, tag_list
from app.context import services
from datasets.access import AccessLevel
from datasets.text import slug_fold
from publishers import Permission, Role, can
from search_index import SearchQuery

# Resource fields ``resource_search`` matches (case-insensitive substring, as CKAN's ILIKE).
_RESOURCE_FIELDS = ("name", "description", "format", "url", "id", "mimetype", "hash")
# CKAN's member capacities for the portal's roles.
_CAPACITY = {Role.STEWARD: "admin", Role.PUBLISHER: "editor"}


def _resource_terms(req: ActionRequest) -> list[tuple[str, str]]:
    """Return ``(field, term)`` pairs from ``query`` ("field:term", one or a list)."""
    terms = []
    for item in text_list(req.params, "query") or []:
        field, sep, term = item.partition(":")
        if not sep or field not in _RESOURCE_FIELDS or not term.strip():
            raise validation_error(
                {
                    "query": [
                        _("Use field:term with a field of %(f)s", f=", ".join(_RESOURCE_FIELDS))
                    ]
                }
            )
        terms.append((field, term.strip().lower()))
    if not terms:
        raise validation_error({"query": [_("Missing value")]})
    return terms


def resource_search(req: ActionRequest) -> dict[str, Any]:
    """Resources of public datasets whose fields contain every ``query`` term ("field:term");
    ``order_by`` a field, ``offset``, ``limit`` (at most 1000)."""
    terms = _resource_terms(req)
    order_by = text(req.params, "order_by").strip()
    if order_by and order_by not in _RESOURCE_FIELDS:
        raise validation_error({"order_by": [_("Unknown field")]})
    offset = integer(req.params, "offset", 0, 0, 10_000_000)
    limit = min(integer(req.params, "limit", MAX_LIST, 0, 10_000_000), MAX_LIST)
    ctx = dict_context()
    found = []
    for view in services().catalog.iter_all():
        if view.access_level != AccessLevel.PUBLIC.value:
            continue  # belt and braces: the catalog lists no resources for these
        for position, resource in enumerate(view.resources):
            out = resource_from_public(resource, view, position, ctx)
            if all(term in str(out.get(field) or "").lower() for field, term in terms):
                found.append(out)
    if order_by:
        found.sort(key=lambda r: str(r.get(order_by) or "").lower())
    return {"count": len(found), "results": found[offset : offset + limit]}


def package_autocomplete(req: ActionRequest) -> list[dict[str, str]]:
    """Published datasets whose name or title contains ``q`` (as CKAN's ``ILIKE``, also
    without Vietnamese diacritics), by name; ``limit`` at most 100 (default 10)."""
    q = required(req.params, "q")
    wanted = slug_fold(q).lower()
    limit = min(integer(req.params, "limit", 10, 1, 10_000), 100)
    out: list[dict[str, str]] = []
    for view in services().catalog.iter_all():
        by_name = wanted in slug_fold(view.name).lower()
        if not by_name and wanted not in slug_fold(view.title).lower():
            continue
        out.append(
            {
                "match_field": "name" if by_name else "title",
                "match_displayed": view.name if by_name else view.title,
                "name": view.name,
                "title": view.title,
            }
        )
        if len(out) == limit:
            break
    return out


def tag_show(req: ActionRequest) -> dict[str, Any]:
    """One tag of published datasets; ``include_datasets`` adds them (up to 1000)."""
    wanted = required(req.params, "id")
    names = tag_list(ActionRequest(req.caller, {}))
    name = next((n for n in names if wanted in (n, tag_dict(n)["id"])), None)
    if name is None:
        raise not_found(wanted)
    out = tag_dict(name)
    if flag(req.params, "include_datasets"):
        found = services().catalog.search(
            SearchQuery(filters={"tags": (name,)}, limit=MAX_LIST, facets=())
        )
        out["packages"] = public_packages(found.views, dict_context())
    return out


def organization_list_for_user(req: ActionRequest) -> list[dict[str, Any]]:
    """Organizations where the caller holds ``permission`` (``manage_group``, the default:
    stewards; ``create_dataset``, ``read`` and others: any member), with ``capacity``.
    A sysadmin gets every organization; an anonymous caller none."""
    actor = req.caller.actor
    asked = text(req.params, "id").strip()
    if asked and not _is_caller(req, asked):
        raise denied(_("organization_list_for_user answers for your own account only"))
    stewards_only = text(req.params, "permission", "manage_group") == "manage_group"
    ctx = dict_context()
    out = []
    for org, count in sorted(services().catalog.organizations(), key=lambda p: p[0].name):
        role = actor.roles.get(org.id)
        if actor.is_sysadmin:
            capacity = "admin"
        elif role is None or (stewards_only and role != Role.STEWARD):
            continue
        else:
            capacity = _CAPACITY[role]
        out.append(
            {**organization_dict(org, ctx.org_created.get(org.id), count), "capacity": capacity}
        )
    return out


def _is_caller(req: ActionRequest, name_or_id: str) -> bool:
    user_id = req.caller.actor.user_id
    if user_id is None:
        return False
    user = services().accounts.find_user(name_or_id)
    return user is not None and user.id == user_id


def user_show(req: ActionRequest) -> dict[str, Any]:
    """The caller's own account (``id`` may name it); anybody else's is refused."""
    user_id = req.caller.actor.user_id
    if user_id is None:
        raise denied(_("user_show needs an API token and shows your own account only"))
    asked = text(req.params, "id").strip()
    if asked and not _is_caller(req, asked):
        raise denied(_("user_show shows your own account only"))
    user = services().accounts.get_user(user_id)
    return {
        "id": user.id,
        "name": user.name,
        "fullname": user.full_name,
        "display_name": user.full_name or user.name,
        "email": user.email,
        "about": "",
        "state": "active" if user.is_active else "deleted",
        "sysadmin": user.is_sysadmin,
        "created": None,
        "image_url": "",
        "image_display_url": "",
        "capacities": {o: _CAPACITY[r] for o, r in req.caller.actor.roles.items()},
    }


def member_list(req: ActionRequest) -> list[list[str]]:
    """Members of an organization or theme as CKAN's ``[id, type, capacity]`` triples:
    datasets in the catalog (``package``), and for an organization its users (``user``),
    shown to the organization's members and sysadmins only."""
    wanted = required(req.params, "id")
    object_type = text(req.params, "object_type").strip()
    capacity = text(req.params, "capacity").strip()
    if object_type not in ("", "package", "user"):
        raise validation_error({"object_type": [_("Use package or user")]})
    svc = services()
    ctx = dict_context()
    org = next((o for o, _n in svc.catalog.organizations() if wanted in (o.id, o.name)), None)
    out: list[list[str]] = []
    if org is not None:
        if object_type in ("", "package"):
            views, _total = svc.catalog.page(organization_id=org.id, limit=MAX_LIST)
            out += [[v.id, "package", "organization"] for v in views]
        may_see_users = can(req.caller.actor, Permission.READ_DRAFT, org.id)
        if object_type == "user" and not may_see_users:
            raise denied(_("the members of an organization are shown to its members only"))
        if object_type in ("", "user") and may_see_users:
            out += [[uid, "user", _CAPACITY[r]] for uid, r in svc.accounts.members(org.id)]
    else:
        theme = next(
            (t for t in ctx.themes.values() if wanted in (t.name, group_dict(t.name, t)["id"])),
            None,
        )
        if theme is None:
            raise not_found(wanted)
        if object_type in ("", "package"):
            found = svc.catalog.search(
                SearchQuery(filters={"theme": (theme.name,)}, limit=MAX_LIST, facets=())
            )
            out += [[v.id, "package", "public"] for v in found.views]
    return [m for m in out if not capacity or m[2] == capacity]
