"""A steward's pages for their organization: members and personal-data policy.

Stewards of the organization and sysadmins may use them (``Permission.MANAGE_MEMBERS``
and ``Permission.MANAGE_POLICY`` checked by the domain); others get 403.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from app.context import current_actor, services
from datasets.org_policy import policy_rows, save_organization_policy
from datasets.personal import Action, PersonalDataKind
from publishers import Conflict, InvalidInput, NotFound, Permission, Role, require

bp = Blueprint("orgadmin", __name__)


@bp.route("/organization/<slug:name>/members", methods=["GET", "POST"])
@login_required
def members(name: str) -> ResponseReturnValue:
    actor, svc = current_actor(), services()
    errors: dict[str, list[str]] = {}
    org = svc.accounts.get_organization(name)
    require(actor, Permission.MANAGE_MEMBERS, org.id)
    if request.method == "POST":
        try:
            role = Role(request.form.get("role", ""))
            user = svc.admin.set_member(actor, org.id, request.form.get("user", ""), role)
        except ValueError:
            errors = {"role": ["invalid"]}
        except (InvalidInput, Conflict) as exc:
            errors = getattr(exc, "errors", None) or {"role": ["last_steward"]}
        else:
            flash(_("%(name)s is now a member of the organization.", name=user.name), "success")
            return redirect(url_for("orgadmin.members", name=org.name))
    return render_template(
        "org/members.html",
        organization=org,
        members=svc.admin.members(actor, org.id),
        errors=errors,
        form=request.form,
    ), 422 if errors else 200


@bp.post("/organization/<slug:name>/members/<user_id>/remove")
@login_required
def remove_member(name: str, user_id: str) -> ResponseReturnValue:
    svc = services()
    org = svc.accounts.get_organization(name)
    try:
        svc.admin.remove_member(current_actor(), org.id, user_id)
    except Conflict:
        flash(_("An organization keeps at least one steward."), "error")
        return redirect(url_for("orgadmin.members", name=org.name)), 303
    except NotFound:
        flash(_("That user is not a member."), "error")
        return redirect(url_for("orgadmin.members", name=org.name)), 303
    except InvalidInput:
        flash(_("The harvester's account stays: its role comes from the harvest source."), "error")
        return redirect(url_for("orgadmin.members", name=org.name)), 303
    flash(_("Member removed."), "success")
    return redirect(url_for("orgadmin.members", name=org.name))


@bp.route("/organization/<slug:name>/policy", methods=["GET", "POST"])
@login_required
def policy(name: str) -> ResponseReturnValue:
    actor, svc = current_actor(), services()
    errors: dict[str, list[str]] = {}
    org = svc.accounts.get_organization(name)
    require(actor, Permission.MANAGE_POLICY, org.id)
    if request.method == "POST":
        kinds = [k.value for k in PersonalDataKind]
        form = request.form
        try:
            save_organization_policy(
                svc.admin,
                actor,
                org,
                {k: form.get(f"action-{k}", "") for k in kinds},
                {k: form.get(f"justification-{k}", "") for k in kinds},
            )
        except InvalidInput as exc:
            errors = exc.errors
        else:
            flash(_("Personal-data policy saved. It applies to new uploads."), "success")
            return redirect(url_for("orgadmin.policy", name=org.name))
        org = svc.accounts.get_organization(name)
    return render_template(
        "org/policy.html",
        organization=org,
        rows=policy_rows(org),
        actions=[a.value for a in Action],
        errors=errors,
        form=request.form,
    ), 422 if errors else 200
