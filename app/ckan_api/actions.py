"""The explicit table of CKAN actions: name → adapter, and whether GET may call it.

Actions are never found by introspection; this table is the CKAN API's whole surface.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.ckan_api import datastore, datastore_write, lookups, read, write
from app.ckan_api.errors import not_found
from app.ckan_api.params import ActionRequest, required

Adapter = Callable[[ActionRequest], Any]


@dataclass(frozen=True)
class Action:
    """An adapter and whether it is free of side effects (callable with GET)."""

    run: Adapter
    read_only: bool


def _read(run: Adapter) -> Action:
    return Action(run, True)


def _write(run: Adapter) -> Action:
    return Action(run, False)


ACTIONS: dict[str, Action] = {
    "status_show": _read(read.status_show),
    "package_list": _read(read.package_list),
    "package_search": _read(read.package_search),
    "package_show": _read(read.package_show),
    "current_package_list_with_resources": _read(read.current_package_list_with_resources),
    "resource_show": _read(read.resource_show),
    "organization_list": _read(read.organization_list),
    "organization_show": _read(read.organization_show),
    "group_list": _read(read.group_list),
    "group_show": _read(read.group_show),
    "tag_list": _read(read.tag_list),
    "license_list": _read(read.license_list),
    "package_activity_list": _read(read.package_activity_list),
    "recently_changed_packages_activity_list": _read(read.recently_changed_packages_activity_list),
    "resource_search": _read(lookups.resource_search),
    "package_autocomplete": _read(lookups.package_autocomplete),
    "tag_show": _read(lookups.tag_show),
    "organization_list_for_user": _read(lookups.organization_list_for_user),
    "user_show": _read(lookups.user_show),
    "member_list": _read(lookups.member_list),
    "datastore_info": _read(datastore.datastore_info),
    "datastore_search": _read(datastore.datastore_search),
    "datastore_search_sql": _read(datastore.datastore_search_sql),
    "package_create": _write(write.package_create),
    "package_update": _write(write.package_update),
    "package_patch": _write(write.package_patch),
    "package_delete": _write(write.package_delete),
    "resource_create": _write(write.resource_create),
    "resource_update": _write(write.resource_update),
    "resource_patch": _write(write.resource_patch),
    "datastore_create": _write(datastore_write.datastore_create),
    "datastore_upsert": _write(datastore_write.datastore_upsert),
    "datastore_delete": _write(datastore_write.datastore_delete),
}


def help_show(req: ActionRequest) -> str:
    """The documentation of the action ``name`` (the ``help`` URL of every answer)."""
    name = required(req.params, "name")
    action = ACTIONS.get(name)
    if action is None:
        raise not_found(name)
    method = "GET or POST" if action.read_only else "POST"
    return f"{name} ({method})\n\n{inspect.cleandoc(action.run.__doc__ or '')}"


ACTIONS["help_show"] = _read(help_show)
