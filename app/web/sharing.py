"""Pages of shared data (issue 18): asking for access, a user's requests and grants, and an
organization's queue, grants and access log for its stewards.

Every decision is the ``Sharing`` service's (``services.sharing``): it checks who may ask,
approve, refuse or revoke, and raises ``InvalidInput`` naming each bad field, which these
pages show next to the field.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from app.context import current_actor, services
from app.web.access_text import access_level_text
from datasets.public import PublicDataset
from datasets.sharing import RequestView
from publishers import InvalidInput, NotFound, PermissionDenied, Role

bp = Blueprint("sharing", __name__)
bp.add_app_template_global(access_level_text, "access_level_text")


def is_steward_of(organization_id: str) -> bool:
    """True when the signed-in user is a steward of the organization (for links)."""
    return current_actor().roles.get(organization_id) == Role.STEWARD


bp.add_app_template_global(is_steward_of, "is_steward_of")


def _record(name: str) -> PublicDataset:
    record = services().catalog.get(name)
    if record is None:
        raise NotFound("dataset not found", name=name)
    return record


def _my_organizations() -> list[tuple[str, str]]:
    """(id, title) of the organizations the signed-in user belongs to."""
    actor = current_actor()
    orgs = services().accounts.list_organizations()
    return [(o.id, o.title) for o in orgs if o.id in actor.roles]


def _until(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@bp.route("/dataset/<slug:name>/request-access", methods=["GET", "POST"])
@login_required
def request_access(name: str) -> ResponseReturnValue:
    record = _record(name)
    columns = services().readers.requestable_columns(record.name)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        form = request.form
        until = _until(form.get("until"))
        if form.get("until") and until is None:
            errors["until"] = ["invalid_date"]
        else:
            try:
                services().sharing.request_access(
                    current_actor(),
                    record.name,
                    purpose=form.get("purpose", ""),
                    legal_basis=form.get("legal_basis", ""),
                    columns=form.getlist("columns") or None,
                    until=until,
                    organization_id=form.get("organization_id") or None,
                )
            except InvalidInput as exc:
                errors = exc.errors
            else:
                flash(
                    _("Your request was sent to the publisher's stewards. You will get a mail."),
                    "success",
                )
                return redirect(url_for("sharing.user_access"))
    return render_template(
        "sharing/request.html",
        dataset=record,
        columns=columns,
        organizations=_my_organizations(),
        form=request.form,
        errors=errors,
    ), 422 if errors else 200


@bp.get("/user/access")
@login_required
def user_access() -> ResponseReturnValue:
    actor, sharing = current_actor(), services().sharing
    return render_template(
        "sharing/user_access.html",
        requests=sharing.requests(actor),
        grants=sharing.grants(actor),
        now=datetime.now(UTC),
    )


def _steward_org(name: str) -> tuple[str, str, str]:
    """(id, name, title) of an organization the signed-in user is a steward of (else 403)."""
    org = services().accounts.get_organization(name)
    if current_actor().roles.get(org.id) != Role.STEWARD:
        raise PermissionDenied("stewards only", permission="manage_sharing")
    return org.id, org.name, org.title


@bp.get("/organization/<slug:name>/sharing")
@login_required
def organization(name: str) -> ResponseReturnValue:
    org_id, org_name, title = _steward_org(name)
    actor, sharing = current_actor(), services().sharing
    asked = sharing.requests(actor, organization_id=org_id)
    pending = [r for r in asked if r.status == "pending"]
    return render_template(
        "sharing/organization.html",
        org_name=org_name,
        org_title=title,
        pending=pending,
        decided=[r for r in asked if r.status != "pending"],
        choices={r.id: _choices(r) for r in pending},
        grants=sharing.grants(actor, organization_id=org_id),
        log=sharing.organization_log(actor, org_id),
        now=datetime.now(UTC),
        errors=_errors_of(request.args.get("failed")),
    )


def _choices(req: RequestView) -> list[str]:
    """The columns a steward may grant for a request: those asked, or every column."""
    if req.columns is not None:
        return list(req.columns)
    return services().readers.requestable_columns(req.dataset_name)


def _errors_of(value: str | None) -> dict[str, str]:
    # "<request id>:<field>:<code>" after a failed decision (shown next to that request).
    if not value or value.count(":") < 2:
        return {}
    request_id, field, code = value.split(":", 2)
    return {request_id: f"{field}:{code}"}


def _back(org_name: str, failed: str | None = None) -> ResponseReturnValue:
    return redirect(url_for("sharing.organization", name=org_name, failed=failed), 303)


@bp.post("/organization/<slug:name>/sharing/requests/<request_id>/approve")
@login_required
def approve(name: str, request_id: str) -> ResponseReturnValue:
    _org_id, org_name, _title = _steward_org(name)
    sharing = services().sharing
    req = sharing.get_request(current_actor(), request_id)
    expires = _until(request.form.get("expires"))
    if expires is None:
        flash(_("Give the date the grant ends."), "error")
        return _back(org_name, f"{request_id}:expires:required")
    shown = _choices(req)
    checked = [c for c in request.form.getlist("columns") if c in shown]
    if shown and not checked:  # no column at all is a refusal, not "every column"
        flash(_("Grant at least one column, or refuse the request."), "error")
        return _back(org_name, f"{request_id}:columns:required")
    columns = None if set(checked) == set(shown) else checked
    try:
        sharing.approve(
            current_actor(),
            request_id,
            expires=datetime.combine(expires, time(23, 59, 59), tzinfo=UTC),
            columns=columns,
        )
    except InvalidInput as exc:
        field, codes = next(iter(exc.errors.items()))
        flash(_("The request was not approved: check the marked values."), "error")
        return _back(org_name, f"{request_id}:{field}:{codes[0]}")
    flash(_("Access granted to %(who)s.", who=req.organization or req.requester), "success")
    return _back(org_name)


@bp.post("/organization/<slug:name>/sharing/requests/<request_id>/refuse")
@login_required
def refuse(name: str, request_id: str) -> ResponseReturnValue:
    _org_id, org_name, _title = _steward_org(name)
    try:
        services().sharing.refuse(
            current_actor(), request_id, reason=request.form.get("reason", "")
        )
    except InvalidInput:
        flash(_("Give the reason for refusing; the requester reads it."), "error")
        return _back(org_name, f"{request_id}:reason:required")
    flash(_("The request was refused."), "success")
    return _back(org_name)


@bp.post("/organization/<slug:name>/sharing/grants/<grant_id>/revoke")
@login_required
def revoke(name: str, grant_id: str) -> ResponseReturnValue:
    _org_id, org_name, _title = _steward_org(name)
    services().sharing.revoke(current_actor(), grant_id)
    flash(_("The grant was revoked: it no longer gives access."), "success")
    return _back(org_name)


@bp.get("/organization/<slug:name>/sharing/access-log.csv")
@login_required
def export_log(name: str) -> ResponseReturnValue:
    org_id, org_name, _title = _steward_org(name)
    lines = services().sharing.export_log(current_actor(), org_id)
    response = Response(lines, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{org_name}-access-log.csv"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
