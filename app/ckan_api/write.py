"""Write actions mapped onto the lifecycle of SPEC §3.

* ``package_create``/``package_update``/``package_patch`` edit a draft, or open a pending
  revision of a published dataset (the live version stays public meanwhile). CKAN keeps
  last-writer-wins (no version check); every edit is recorded as activity.
* ``"state": "active"`` submits. When the caller may approve in the organization (a
  steward), the submission is approved at once, except when SPEC §3 forbids it: a steward
  may not approve their own submission unless they are the organization's only steward.
  Then the call succeeds and the dataset waits for another steward: the answer shows
  ``state: "draft"``, ``private: true`` and ``lifecycle_state: "submitted"``.
* A submission that is blocked (a resource still processing, invalid, or with personal-data
  findings the organization's default policy does not decide) is a ``Validation Error``
  listing why under ``state``; the edits are kept as a draft.
* ``access_level`` (and ``access_instructions``) set who may read the data, approved like
  any change; ``package_update`` without them keeps the current ones, so a script that
  does not know them never opens a dataset up by omission.
* ``package_delete`` withdraws a published dataset (stewards) and deletes a draft that was
  never published.
* Resources: ``upload`` (multipart) stores a file through the upload pipeline; ``url``
  links a file elsewhere (never fetched by the portal).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _

from app.ckan_api.errors import denied, validation_error
from app.ckan_api.params import ActionRequest, json_value, required, text
from app.ckan_api.read import package_of_resource, visible_package
from app.context import services
from datasets import (
    CKAN_EXTRA_FIELDS,
    CKAN_LICENSE_IDS,
    DEFAULT_LICENSE_ID,
    LICENSES,
    DatasetMetadata,
    ResourceInput,
    license_from_ckan,
    receive_encrypted,
)
from datasets.access import AccessLevel
from datasets.model import DatasetState
from publishers import Actor, Permission, PermissionDenied, can


def writer_of(req: ActionRequest) -> Actor:
    """Return the caller; refuse anonymous callers and read-only tokens (403)."""
    if req.caller.actor.is_anonymous:
        raise denied(_("an API token is required"))
    if not req.caller.can_write:
        raise denied(_("this token is read-only"))
    return req.caller.actor


def _translated(params: dict[str, Any], key: str, lang: str) -> str:
    value = json_value(params, f"{key}_translated")
    if isinstance(value, dict) and isinstance(value.get(lang), str):
        return str(value[lang])
    return ""


def _names(params: dict[str, Any], key: str) -> tuple[str, ...]:
    value = json_value(params, key)
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        value = [v for v in value.split(",") if v.strip()]
    if not isinstance(value, list):
        raise validation_error({key: [_("Must be a list")]})
    names = []
    for item in value:
        name = item.get("name") or item.get("id") if isinstance(item, dict) else item
        if not isinstance(name, str):
            raise validation_error({key: [_("Each item needs a name")]})
        names.append(name.strip())
    return tuple(n for n in names if n)


def _extras(params: dict[str, Any]) -> dict[str, str]:
    value = json_value(params, "extras") or []
    if not isinstance(value, list):
        raise validation_error({"extras": [_("Must be a list of key/value objects")]})
    out = {}
    for item in value:
        if not isinstance(item, dict) or not isinstance(item.get("key"), str):
            raise validation_error({"extras": [_("Must be a list of key/value objects")]})
        out[item["key"]] = str(item.get("value") or "")
    return out


def _date(extras: dict[str, str], key: str) -> date | None:
    raw = extras.get(key, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        raise validation_error({key: [_("Use a date such as 2024-12-31")]}) from None


def metadata_from_package(params: dict[str, Any]) -> DatasetMetadata:
    """Return the portal's metadata from a CKAN package dict (unknown keys are ignored).

    ``extras`` named like a field of ``CKAN_EXTRA_FIELDS`` set that field; the others are
    kept as the dataset's own extras (CKAN stores them and shows them back).
    """
    extras = _extras(params)
    carried: dict[str, Any] = {
        spec.name: _date(extras, spec.name) if spec.kind == "date" else extras.get(spec.name, "")
        for spec in CKAN_EXTRA_FIELDS
    }
    themes = _names(params, "groups")
    groups = {t.name: t.name for t in services().catalog.themes()}
    from app.ckan_api.dicts import stable_id

    groups.update({stable_id("theme", n): n for n in list(groups)})
    title = text(params, "title").strip() or _translated(params, "title", "vi")
    return DatasetMetadata(
        title_vi=title or text(params, "name"),
        title_en=_translated(params, "title", "en"),
        description_vi=text(params, "notes") or _translated(params, "notes", "vi"),
        description_en=_translated(params, "notes", "en"),
        tags=_names(params, "tags") or _names(params, "tag_string"),
        themes=tuple(groups.get(t, t) for t in themes),
        license_id=_license_id(params),
        access_level=text(params, "access_level").strip() or AccessLevel.PUBLIC.value,
        access_instructions=text(params, "access_instructions"),
        extras={k: v for k, v in extras.items() if k not in carried},
        **carried,
    )


def _license_id(params: dict[str, Any]) -> str:
    """Return the portal's licence for ``license_id``: one of its own ids, or a CKAN default
    id with the same terms (``CKAN_LICENSE_IDS``); otherwise a ``Validation Error`` naming
    the ids accepted. No licence given: the portal's default."""
    given = text(params, "license_id").strip()
    if not given:
        return DEFAULT_LICENSE_ID
    found = license_from_ckan(given)
    if found is None:
        raise validation_error(
            {
                "license_id": [
                    _(
                        "Licence %(given)s is not offered by this portal. Use one of: "
                        "%(ours)s (CKAN's %(ckan)s are accepted as their equivalents).",
                        given=given,
                        ours=", ".join(LICENSES),
                        ckan=", ".join(CKAN_LICENSE_IDS),
                    )
                ]
            }
        )
    return found


def _organization_id(params: dict[str, Any]) -> str:
    """Return the owning organization's id from ``owner_org`` (id or name).

    A dict dumped from another portal names its organization there; when that id is
    unknown here, the embedded ``organization.name`` is tried (``ckanapi load``).
    """
    accounts = services().accounts
    wanted = text(params, "owner_org").strip()
    embedded = json_value(params, "organization")
    fallback = embedded.get("name") if isinstance(embedded, dict) else None
    for candidate in (wanted, fallback):
        if isinstance(candidate, str) and candidate:
            org = accounts.find_organization(candidate)
            if org is not None:
                return org.id
    if not wanted and not fallback:
        raise validation_error({"owner_org": [_("Missing value")]})
    raise validation_error({"owner_org": [_("Organization does not exist")]})


def _submit_if_active(actor: Actor, params: dict[str, Any], name: str) -> None:
    if text(params, "state").strip() != "active":
        return
    svc = services()
    dataset = svc.workflow.submit(actor, name, stage=False)
    if can(actor, Permission.APPROVE, dataset.organization_id):
        try:
            svc.workflow.approve(actor, name)
            return
        except PermissionDenied as exc:
            if exc.params.get("reason") != "own_submission":
                raise
            # SPEC §3: another steward must approve; the submission waits in review.
    svc.workflow.stage(name)  # its tables are staged meanwhile


def _link(actor: Actor, name: str, resource: dict[str, Any]) -> str:
    url = text(resource, "url").strip()
    if not url:
        raise validation_error({"resources": [_("A resource needs a url or an upload")]})
    info = ResourceInput(name=text(resource, "name"), description=text(resource, "description"))
    version = services().editor.add_link(actor, name, url, info, fmt=text(resource, "format"))
    return version.resource_id


def _sync_resources(actor: Actor, name: str, given: Any, existing: list[dict[str, Any]]) -> None:
    """Make the dataset's resources the ``given`` list (CKAN's package_update semantics).

    A given resource matches an existing one by id, else by URL (so loading the same dump
    twice changes nothing); others are added as links; existing ones not given are removed.
    """
    if not isinstance(given, list) or not all(isinstance(r, dict) for r in given):
        raise validation_error({"resources": [_("Must be a list of resource objects")]})
    by_id = {r["id"]: r for r in existing}
    by_url = {r["url"]: r for r in existing if r["url"]}
    keep = set()
    for resource in given:
        match = by_id.get(str(resource.get("id"))) or by_url.get(str(resource.get("url")))
        keep.add(match["id"] if match else _link(actor, name, resource))
    for resource in existing:
        if resource["id"] not in keep:
            services().editor.remove_resource(actor, name, resource["id"])


def package_create(req: ActionRequest) -> dict[str, Any]:
    """Create a draft (and submit it with ``"state": "active"``)."""
    actor = writer_of(req)
    params = dict(req.params)
    organization_id = _organization_id(params)
    meta = metadata_from_package(params)
    dataset = services().editor.create(actor, organization_id, meta, name=text(params, "name"))
    if "resources" in params:
        _sync_resources(actor, dataset.name, json_value(params, "resources"), [])
    _submit_if_active(actor, params, dataset.name)
    return visible_package(req, dataset.id)


def _update(req: ActionRequest, params: dict[str, Any]) -> dict[str, Any]:
    actor = writer_of(req)
    current = visible_package(req, required(params, "id"))
    if not can(actor, Permission.EDIT_DATASET, current["owner_org"]):
        raise denied()
    name = current["name"]
    for key in ("access_level", "access_instructions"):  # never opened up by omission
        params.setdefault(key, current.get(key, ""))
    services().editor.update_metadata(
        actor, name, metadata_from_package(params), expected_version=None
    )
    if "resources" in params:
        latest = visible_package(req, name)
        _sync_resources(actor, name, json_value(params, "resources"), latest["resources"])
    _submit_if_active(actor, params, name)
    return visible_package(req, name)


def package_update(req: ActionRequest) -> dict[str, Any]:
    """Replace a dataset's metadata (and resources when given); last writer wins."""
    return _update(req, dict(req.params))


def package_patch(req: ActionRequest) -> dict[str, Any]:
    """Change only the given fields of a dataset."""
    writer_of(req)
    current = visible_package(req, required(req.params, "id"))
    merged = {k: v for k, v in current.items() if k not in ("resources", "state")}
    merged.update(req.params)
    return _update(req, merged)


def package_delete(req: ActionRequest) -> None:
    """Withdraw a published dataset (a reason is recorded); delete a never-published draft."""
    actor = writer_of(req)
    package = visible_package(req, required(req.params, "id"))
    workflow = services().workflow
    state = package.get("lifecycle_state")
    if state == DatasetState.DRAFT.value and package.get("state") == "draft":
        workflow.delete_draft(actor, package["name"])
        return None
    reason = text(req.params, "reason") or _("Withdrawn through the CKAN API")
    workflow.withdraw(actor, package["name"], reason)
    return None


def _resource_of(req: ActionRequest, package: dict[str, Any], resource_id: str) -> dict[str, Any]:
    for resource in package["resources"]:
        if resource["id"] == resource_id:
            return dict(resource)
    raise validation_error({"id": [_("Resource not found")]})


def _store_upload(req: ActionRequest, name: str, resource_id: str | None) -> str:
    svc = services()
    upload = req.files["upload"]
    # Encrypted into the vault as it is read (issue 24): no plaintext copy in staging.
    stored = receive_encrypted(
        upload.stream, upload.filename or "data", svc.vault, svc.settings.max_upload_bytes
    )
    info = ResourceInput(name=text(req.params, "name"), description=text(req.params, "description"))
    version = svc.editor.add_upload(req.caller.actor, name, stored, info, resource_id=resource_id)
    return version.resource_id


def resource_create(req: ActionRequest) -> dict[str, Any]:
    """Add a resource: a multipart ``upload``, or a ``url`` to link."""
    actor = writer_of(req)
    package = visible_package(req, required(req.params, "package_id"))
    if "upload" in req.files:
        resource_id = _store_upload(req, package["name"], None)
    else:
        resource_id = _link(actor, package["name"], dict(req.params))
    return _resource_of(req, visible_package(req, package["id"]), resource_id)


def _change_resource(req: ActionRequest, params: dict[str, Any]) -> dict[str, Any]:
    actor = writer_of(req)
    resource_id = required(params, "id")
    package = package_of_resource(req, resource_id)
    current = _resource_of(req, package, resource_id)
    if "upload" in req.files:
        _store_upload(req, package["name"], resource_id)
    elif text(params, "url").strip() and text(params, "url").strip() != current["url"]:
        if current["url_type"] == "upload":
            raise validation_error({"url": [_("Replace an uploaded file with a new upload")]})
        services().editor.remove_resource(actor, package["name"], resource_id)
        resource_id = _link(actor, package["name"], {**current, **params})
    elif any(
        text(params, k, current[k] or "") != (current[k] or "") for k in ("name", "description")
    ):
        raise validation_error(
            {"name": [_("Renaming a resource needs a new upload or the web form")]}
        )
    return _resource_of(req, visible_package(req, package["id"]), resource_id)


def resource_update(req: ActionRequest) -> dict[str, Any]:
    """Replace a resource's file (``upload``) or a linked resource's ``url``."""
    return _change_resource(req, dict(req.params))


def resource_patch(req: ActionRequest) -> dict[str, Any]:
    """Like ``resource_update`` with only the given fields."""
    return _change_resource(req, dict(req.params))
