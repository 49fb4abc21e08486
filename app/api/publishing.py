"""REST routes of the publishing workflow (SPEC §3, §4): resources, reports, decisions,
submit/approve/reject/withdraw and activity."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from flask import Response, jsonify, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app.api import bp
from app.api.datasets import _dataset_response, dataset_shape, list_json
from app.api.responses import caller, error, json_body, writer
from app.api.shapes import activity_json, findings_json, progress_json, validation_json
from app.context import services
from app.upload_form import read_upload
from datasets import (
    MemberResource,
    ResourceInput,
    StoredUpload,
    member_resource,
    processing_version,
    receive_encrypted,
)
from datasets.model import ResourceVersion
from datasets.uploads import Readable, safe_filename
from publishers import Actor, InvalidInput, NotFound


def _version(actor: Actor, name: str, resource_id: str) -> MemberResource:
    with services().sessions() as session:
        return member_resource(session, actor, name, resource_id)[1]


def _resource_json(actor: Actor, name: str, resource_id: str) -> dict[str, Any]:
    shape, _lock, _id = dataset_shape(actor, name)
    return next(r for r in shape["resources"] if r["id"] == resource_id)


@bp.post("/datasets/<slug:name>/resources")
def add_resource(name: str) -> ResponseReturnValue:
    who = writer()
    if request.mimetype == "application/json":
        body = json_body()
        url, label, fmt = (_text(body, k) for k in ("url", "name", "format"))
        info = ResourceInput(name=label, description=_text(body, "description"))
        version = services().editor.add_link(who.actor, name, url, info, fmt=fmt)
    else:
        version = _upload(who.actor, name)
    response = jsonify(_resource_json(who.actor, name, version.resource_id))
    response.status_code = 201
    return response


def _upload(actor: Actor, name: str) -> ResourceVersion:
    """Encrypt the file into the vault as it is received (issue 24), then add it."""
    svc = services()
    svc.editor.check_upload(actor, name)  # a refused upload is not read, nor stored

    def store(stream: Readable, filename: str) -> StoredUpload:
        return receive_encrypted(stream, filename, svc.vault, svc.settings.max_upload_bytes)

    def discard(upload: StoredUpload) -> None:
        svc.vault.discard(upload.original_key)

    stored, filename, form = read_upload(store, discard)
    if stored is None:
        raise InvalidInput("file required", {"file": ["required"]})
    fmt = form.get("format", "").strip().lower()
    if fmt.isalnum() and not Path(filename).suffix:
        stored = replace(stored, filename=safe_filename(f"{filename}.{fmt}"))
    info = ResourceInput(name=form.get("name", ""), description=form.get("description", ""))
    return svc.editor.add_upload(actor, name, stored, info)


def _text(body: dict[str, Any], key: str) -> str:
    value = body.get(key, "")
    if not isinstance(value, str):
        raise InvalidInput("string expected", {key: ["string_expected"]})
    return value


@bp.get("/datasets/<slug:name>/resources/<slug:resource_id>/validation")
def validation_report(name: str, resource_id: str) -> ResponseReturnValue:
    actor = caller().actor
    with services().sessions() as session:  # asked every moment while the checks run
        processing = processing_version(session, actor, name, resource_id)
    if processing is not None:
        return _still_processing_id(processing)
    version = _version(actor, name, resource_id)
    if version.status == "processing":
        return _still_processing(version)
    if not version.is_tabular or version.validation is None:
        raise NotFound("no validation report")
    return jsonify(validation_json(version))


@bp.post("/datasets/<slug:name>/resources/<slug:resource_id>/unit-codes")
def add_unit_codes(name: str, resource_id: str) -> ResponseReturnValue:
    """Add the current unit's code and name after a recognized place column (issue 22)."""
    who = writer()
    _version(who.actor, name, resource_id)  # outsiders get 404
    column = _text(json_body(), "column")
    services().editor.add_unit_codes(who.actor, name, resource_id, column)
    response = jsonify(_resource_json(who.actor, name, resource_id))
    response.status_code = 202
    return response


@bp.get("/datasets/<slug:name>/resources/<slug:resource_id>/findings")
def personal_data_findings(name: str, resource_id: str) -> ResponseReturnValue:
    actor = caller().actor
    with services().sessions() as session:  # asked every moment while the checks run
        processing = processing_version(session, actor, name, resource_id)
    if processing is not None:
        return _still_processing_id(processing)
    version = _version(actor, name, resource_id)
    if version.status == "processing":
        return _still_processing(version)
    return jsonify(findings_json(version))


def _still_processing(version: MemberResource) -> ResponseReturnValue:
    """409 while the checks run: no report yet (an empty one would read as "no problem")."""
    return error(
        409,
        "conflict",
        _("The file is still being checked; ask again when its status is ready."),
        resource_status=version.status,
        progress=progress_json(version),
    )


def _still_processing_id(version_id: str) -> ResponseReturnValue:
    """``_still_processing`` for a version known by its id only (``processing_version``)."""
    board = services().processor.progress
    found = board.read(version_id) if board is not None else None
    return error(
        409,
        "conflict",
        _("The file is still being checked; ask again when its status is ready."),
        resource_status="processing",
        progress=found.to_dict() if found is not None else None,
    )


@bp.put("/datasets/<slug:name>/resources/<slug:resource_id>/decisions")
def set_decisions(name: str, resource_id: str) -> ResponseReturnValue:
    who = writer()
    _version(who.actor, name, resource_id)  # outsiders get 404
    decisions = json_body().get("decisions")
    if not isinstance(decisions, list) or not all(_is_decision(d) for d in decisions):
        raise InvalidInput("decisions expected", {"decisions": ["invalid"]})
    services().editor.set_decisions(who.actor, name, resource_id, decisions)
    return jsonify(findings_json(_version(who.actor, name, resource_id)))


def _is_decision(item: object) -> bool:
    return (
        isinstance(item, dict)
        and isinstance(item.get("column"), str)
        and isinstance(item.get("action"), str)
        and isinstance(item.get("justification", ""), str)
    )


def _comment(required: bool) -> str:
    body = json_body(empty={})
    comment = body.get("comment", "")
    if not isinstance(comment, str) or (required and not comment.strip()):
        raise InvalidInput("comment required", {"comment": ["required"]})
    return comment


def _license_id() -> str:
    """The licence an approval chooses ("" keeps the revision's)."""
    value = json_body(empty={}).get("license_id", "")
    if not isinstance(value, str):
        raise InvalidInput("string expected", {"license_id": ["string_expected"]})
    return value


def _transition(name: str, action: str) -> Response:
    who = writer()
    workflow = services().workflow  # outsiders get 404 from it, as for a read
    if action == "submit":
        workflow.submit(who.actor, name)
    elif action == "approve":
        workflow.approve(who.actor, name, _comment(False), license_id=_license_id())
    elif action == "reject":
        workflow.reject(who.actor, name, _comment(True))
    else:
        workflow.withdraw(who.actor, name, _comment(True))
    return _dataset_response(who.actor, name)


@bp.post("/datasets/<slug:name>/submit")
def submit_dataset(name: str) -> ResponseReturnValue:
    return _transition(name, "submit")


@bp.post("/datasets/<slug:name>/approve")
def approve_dataset(name: str) -> ResponseReturnValue:
    return _transition(name, "approve")


@bp.post("/datasets/<slug:name>/reject")
def reject_dataset(name: str) -> ResponseReturnValue:
    return _transition(name, "reject")


@bp.post("/datasets/<slug:name>/withdraw")
def withdraw_dataset(name: str) -> ResponseReturnValue:
    return _transition(name, "withdraw")


@bp.get("/datasets/<slug:name>/activity")
def dataset_activity(name: str) -> ResponseReturnValue:
    actor = caller().actor
    svc = services()
    shape, _lock, dataset_id = dataset_shape(actor, name)
    member = "revision_status" in shape
    rows = svc.workflow.activity(dataset_id, limit=200)
    names = {}
    if member:
        for user_id in {r.actor_id for r in rows if r.actor_id}:
            user = svc.accounts.find_user(user_id)
            names[user_id] = user.name if user else ""
    items = activity_json(rows, names, public=not member)
    return list_json(items, len(items), None)
