"""Publishing pages for one resource: upload, link, replace, remove, re-read, schema, report.

Members of the dataset's organization only. The validation report page and the original
download read encrypted files through the vault; nothing here is ever public.
"""

from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from app.context import current_actor, services
from app.web.failure_text import failure_reason
from app.web.forms import resource_input_from_form, schema_edits_from_form
from app.web.plain_words import decision_problems, encoding_label, error_fix, type_label
from app.web.validation_text import code_label, issue_message
from datasets.members import MemberDataset, MemberResource, member_resource
from datasets.report_preview import rows_around_errors
from datasets.schema_edit import (
    FIELD_TYPES,
    edits_from_schema,
    schema_from_edits,
    with_proposed_titles,
)
from datasets.uploads import StoredUpload, receive_encrypted
from publishers import InvalidInput, NotFound, Permission, require

bp = Blueprint("resources", __name__)
bp.add_app_template_global(failure_reason, "failure_reason")
bp.add_app_template_global(encoding_label, "encoding_label")
bp.add_app_template_global(type_label, "type_label")
ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "cp1258", "cp1252")


def _version(name: str, resource_id: str) -> tuple[MemberDataset, MemberResource]:
    """Return the dataset and the resource's version members work on (working, else live)."""
    with services().sessions() as session:
        return member_resource(session, current_actor(), name, resource_id)


def _back(name: str, resource_id: str | None = None) -> ResponseReturnValue:
    anchor = f"resource-{resource_id}" if resource_id else None
    return redirect(url_for("manage.dataset", name=name, _anchor=anchor))


def _refused_decisions(exc: InvalidInput) -> None:
    problems = decision_problems(exc.errors)
    flash(_("Some decisions were not accepted: %(problems)s", problems=problems), "error")


def _store_file() -> StoredUpload | None:
    """The form's file, encrypted into the vault as it is read (issue 24: no staging copy)."""
    file = request.files.get("file")
    if file is None or not file.filename:
        return None
    svc = services()
    return receive_encrypted(file.stream, file.filename, svc.vault, svc.settings.max_upload_bytes)


@bp.post("/dataset/<slug:name>/resources")
@login_required
def upload(name: str) -> ResponseReturnValue:
    stored = _store_file()
    if stored is None:
        flash(_("Choose a file to upload."), "error")
        return _back(name)
    version = services().editor.add_upload(
        current_actor(), name, stored, resource_input_from_form(request.form)
    )
    flash(_("File received. It is being checked; this page shows the result."), "success")
    return _back(name, version.resource_id)


@bp.post("/dataset/<slug:name>/links")
@login_required
def link(name: str) -> ResponseReturnValue:
    try:
        version = services().editor.add_link(
            current_actor(),
            name,
            request.form.get("url", "").strip(),
            resource_input_from_form(request.form),
            fmt=request.form.get("format", ""),
        )
    except InvalidInput:
        flash(_("Enter a web address starting with http:// or https://."), "error")
        return _back(name)
    flash(_("Link added."), "success")
    return _back(name, version.resource_id)


@bp.post("/dataset/<slug:name>/resource/<slug:resource_id>/file")
@login_required
def replace(name: str, resource_id: str) -> ResponseReturnValue:
    stored = _store_file()
    if stored is None:
        flash(_("Choose a file to upload."), "error")
        return _back(name, resource_id)
    services().editor.add_upload(
        current_actor(),
        name,
        stored,
        resource_input_from_form(request.form),
        resource_id=resource_id,
    )
    flash(_("New version received. It is being checked."), "success")
    return _back(name, resource_id)


@bp.post("/dataset/<slug:name>/resource/<slug:resource_id>/remove")
@login_required
def remove(name: str, resource_id: str) -> ResponseReturnValue:
    services().editor.remove_resource(current_actor(), name, resource_id)
    flash(_("Resource removed from this version of the dataset."), "success")
    return _back(name)


def _decisions_from_form() -> list[dict[str, str]]:
    return [
        {
            "column": c,
            "action": request.form.get(f"action-{c}", ""),
            "justification": request.form.get(f"justification-{c}", ""),
        }
        for c in request.form.getlist("column")
    ]


@bp.post("/dataset/<slug:name>/resource/<slug:resource_id>/decisions")
@login_required
def decide(name: str, resource_id: str) -> ResponseReturnValue:
    try:
        services().editor.set_decisions(current_actor(), name, resource_id, _decisions_from_form())
    except InvalidInput as exc:
        _refused_decisions(exc)
        return _back(name, resource_id)
    flash(_("Decisions saved; the public file is being rebuilt."), "success")
    return _back(name, resource_id)


@bp.post("/dataset/<slug:name>/resource/<slug:resource_id>/resume-feed")
@login_required
def resume_feed(name: str, resource_id: str) -> ResponseReturnValue:
    """A steward resumes a feed paused by personal data in a batch (issue 17)."""
    _version(name, resource_id)  # a member of the organization, or 404
    services().live_feed.resume(current_actor(), resource_id)
    flash(
        _(
            "The feed is resumed. What the scan found is now decided by the organization's "
            "policy and the published table was stripped again."
        ),
        "success",
    )
    return _back(name, resource_id)


@bp.post("/dataset/<slug:name>/resource/<slug:resource_id>/agency-decisions")
@login_required
def decide_agency(name: str, resource_id: str) -> ResponseReturnValue:
    """The agency projection's decisions (datasets at the agencies or restricted level)."""
    editor = services().editor
    try:
        editor.set_agency_decisions(current_actor(), name, resource_id, _decisions_from_form())
    except InvalidInput as exc:
        _refused_decisions(exc)
        return _back(name, resource_id)
    flash(_("Agency decisions saved; the agencies' file is being rebuilt."), "success")
    return _back(name, resource_id)


@bp.post("/dataset/<slug:name>/resource/<slug:resource_id>/reading")
@login_required
def reread(name: str, resource_id: str) -> ResponseReturnValue:
    try:
        services().editor.reprocess(
            current_actor(),
            name,
            resource_id,
            encoding=request.form.get("encoding") or None,
            sheet=request.form.get("sheet") or None,
            expected_version=request.form.get("lock_version", type=int),
        )
    except InvalidInput:
        flash(_("Choose an encoding from the list."), "error")
        return _back(name, resource_id)
    flash(_("The file is being read again with your choice."), "success")
    return _back(name, resource_id)


@bp.post("/dataset/<slug:name>/resource/<slug:resource_id>/unit-codes")
@login_required
def unit_codes(name: str, resource_id: str) -> ResponseReturnValue:
    """Add the current unit's code and name after a recognized place column (issue 22)."""
    column = request.form.get("column", "")
    try:
        services().editor.add_unit_codes(
            current_actor(),
            name,
            resource_id,
            column,
            expected_version=request.form.get("lock_version", type=int),
        )
    except InvalidInput:
        flash(_("The current unit's code cannot be added after this column."), "error")
        return _back(name, resource_id)
    flash(
        _(
            "The current unit's code and name are added after the column %(column)s; "
            "the table is being processed again.",
            column=column,
        ),
        "success",
    )
    return _back(name, resource_id)


@bp.route("/dataset/<slug:name>/resource/<slug:resource_id>/schema", methods=["GET", "POST"])
@login_required
def schema(name: str, resource_id: str) -> ResponseReturnValue:
    dataset, version = _version(name, resource_id)
    if not version.is_tabular or not version.table_schema:
        raise NotFound("no schema")
    errors: dict[str, list[str]] = {}
    rows = with_proposed_titles(edits_from_schema(version.table_schema))
    if request.method == "POST":
        rows = schema_edits_from_form(request.form)
        try:
            descriptor = schema_from_edits(version.table_schema, rows)
            services().editor.set_schema(
                current_actor(),
                name,
                resource_id,
                descriptor,
                expected_version=request.form.get("lock_version", type=int),
            )
        except InvalidInput as exc:
            errors = exc.errors
        else:
            flash(_("Schema saved; the table is being validated again."), "success")
            return redirect(url_for("resources.report", name=name, resource_id=resource_id), 303)
    return render_template(
        "manage/schema.html",
        dataset=dataset,
        version=version,
        rows=rows,
        types=FIELD_TYPES,
        errors=errors,
    ), (422 if errors else 200)


@bp.get("/dataset/<slug:name>/resource/<slug:resource_id>/report")
@login_required
def report(name: str, resource_id: str) -> ResponseReturnValue:
    dataset, version = _version(name, resource_id)
    report = version.validation_report
    issues = list(report.errors) if report is not None else []
    preview = None
    if issues and version.normalized_key:
        with services().vault.decrypted(version.normalized_key, ".csv") as path:
            preview = rows_around_errors(path, issues)
    counts: dict[str, int] = {}
    for issue in issues:
        counts[issue.code] = counts.get(issue.code, 0) + 1
    return render_template(
        "manage/report.html",
        dataset=dataset,
        version=version,
        report=report,
        issues=issues,
        counts=counts,
        preview=preview,
        message=lambda issue: issue_message(issue, version.table_schema),
        code_label=code_label,
        error_fix=error_fix,
    )


@bp.get("/dataset/<slug:name>/resource/<slug:resource_id>/status.json")
@login_required
def status(name: str, resource_id: str) -> ResponseReturnValue:
    _dataset, version = _version(name, resource_id)
    report = version.validation_report
    progress = None
    if version.status == "processing":
        board = services().processor.progress
        found = board.read(version.id) if board is not None else None
        progress = found.to_dict() if found is not None else None
    response = jsonify(
        {
            "status": version.status,
            "error_code": version.error_code,
            "row_count": version.row_count,
            "valid": report.valid if report is not None else None,
            "error_count": len(report.errors) if report is not None else None,
            "progress": progress,
        }
    )
    response.headers["Cache-Control"] = "no-store, private"
    return response


@bp.get("/dataset/<slug:name>/resource/<slug:resource_id>/original")
@login_required
def original(name: str, resource_id: str) -> ResponseReturnValue:
    dataset, version = _version(name, resource_id)
    require(current_actor(), Permission.READ_ORIGINAL, dataset.organization_id)
    if not version.original_key:
        raise NotFound("no original")
    with services().vault.decrypted(version.original_key) as path:
        handle = path.open("rb")  # stays readable after the temporary file is removed
    response = send_file(
        handle,
        mimetype="application/octet-stream",
        as_attachment=True,
        download_name=version.original_filename or "original",
    )
    response.headers["Cache-Control"] = "no-store, private"
    return response
