"""Sysadmin pages: dashboard, organizations, users, site content, themes, audit log.

Every view passes the current actor to a domain call that checks the permission
(``publishers.permissions``); a signed-in user without it gets 403.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from app.context import current_actor, services
from datasets.themes import EU_THEMES, save_theme
from publishers import SITE_PAGES, Conflict, InvalidInput, Permission, SiteContent, require

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("")
@login_required
def dashboard() -> ResponseReturnValue:
    actor = current_actor()
    require(actor, Permission.MANAGE_SITE)
    svc = services()
    _rows, users = svc.admin.list_users(actor)
    return render_template(
        "admin/dashboard.html",
        organizations=len(svc.accounts.list_organizations()),
        users=users,
        counts=svc.catalog.counts(),
        recent=svc.audit.page(actor, page_size=10).rows,
    )


@bp.route("/organizations", methods=["GET", "POST"])
@login_required
def organizations() -> ResponseReturnValue:
    actor = current_actor()
    require(actor, Permission.MANAGE_ORGANIZATIONS)
    svc, form = services(), request.form
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            org = svc.admin.create_organization(
                actor,
                form.get("name", "").strip(),
                form.get("title", ""),
                title_en=form.get("title_en", ""),
                description=form.get("description", ""),
                email=form.get("email", "").strip(),
            )
        except (InvalidInput, Conflict) as exc:
            errors = getattr(exc, "errors", None) or {"name": ["taken"]}
        else:
            flash(_("Organization %(name)s created.", name=org.name), "success")
            return redirect(url_for("admin.organizations"))
    return render_template(
        "admin/organizations.html",
        organizations=svc.accounts.list_organizations(),
        form=form,
        errors=errors,
    ), 422 if errors else 200


@bp.route("/organizations/<slug:name>", methods=["GET", "POST"])
@login_required
def organization(name: str) -> ResponseReturnValue:
    actor = current_actor()
    require(actor, Permission.MANAGE_ORGANIZATIONS)
    svc, form = services(), request.form
    errors: dict[str, list[str]] = {}
    org = svc.accounts.get_organization(name)
    if request.method == "POST":
        try:
            svc.admin.update_organization(
                actor,
                org.id,
                title=form.get("title", ""),
                title_en=form.get("title_en", ""),
                description=form.get("description", ""),
                email=form.get("email", ""),
            )
        except InvalidInput as exc:
            errors = exc.errors
        else:
            flash(_("Changes saved."), "success")
            return redirect(url_for("admin.organization", name=org.name))
    return render_template(
        "admin/organization.html", organization=org, form=form or org, errors=errors
    ), 422 if errors else 200


@bp.route("/users", methods=["GET", "POST"])
@login_required
def users() -> ResponseReturnValue:
    actor = current_actor()
    svc, form = services(), request.form
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            created = svc.admin.create_user(
                actor,
                form.get("name", "").strip(),
                form.get("email", "").strip(),
                form.get("password", ""),
                full_name=form.get("full_name", ""),
            )
        except (InvalidInput, Conflict) as exc:
            errors = getattr(exc, "errors", None) or {"name": ["taken"]}
        else:
            flash(_("User %(name)s created.", name=created.name), "success")
            return redirect(url_for("admin.users", q=created.name))
    query, page = request.args.get("q", "")[:100], request.args.get("page", 1, type=int) or 1
    rows, total = svc.admin.list_users(actor, query=query, page=page)
    return render_template(
        "admin/users.html", rows=rows, total=total, q=query, page=page, form=form, errors=errors
    ), 422 if errors else 200


@bp.post("/users/<user_id>/sysadmin")
@login_required
def set_sysadmin(user_id: str) -> ResponseReturnValue:
    value = request.form.get("value") == "1"
    try:
        services().admin.set_sysadmin(current_actor(), user_id, value)
    except Conflict:
        flash(_("You cannot change your own sysadmin rights."), "error")
        return redirect(url_for("admin.users")), 303
    flash(_("Sysadmin rights granted.") if value else _("Sysadmin rights removed."), "success")
    return redirect(url_for("admin.users"))


@bp.post("/users/<user_id>/active")
@login_required
def set_active(user_id: str) -> ResponseReturnValue:
    active = request.form.get("value") == "1"
    try:
        services().admin.set_active(current_actor(), user_id, active)
    except Conflict:
        flash(_("You cannot deactivate your own account."), "error")
        return redirect(url_for("admin.users")), 303
    if active:
        flash(_("Account reactivated."), "success")
    else:
        flash(
            _("Account deactivated: its sessions ended and its API tokens were revoked."), "success"
        )
    return redirect(url_for("admin.users"))


@bp.route("/site", methods=["GET", "POST"])
@login_required
def site() -> ResponseReturnValue:
    actor = current_actor()
    require(actor, Permission.MANAGE_SITE)
    svc = services()
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        form = request.form
        featured = tuple(n.strip() for n in form.get("featured", "").split() if n.strip())
        texts = {
            f"{page}_{lang}": form.get(f"{page}_{lang}", "")
            for page in SITE_PAGES
            for lang in ("vi", "en")
        }
        content = SiteContent(
            title_vi=form.get("title_vi", ""),
            title_en=form.get("title_en", ""),
            featured=featured,
            brand_color=form.get("brand_color", "").strip(),
            **texts,
        )
        try:
            svc.site.save(actor, content)
        except InvalidInput as exc:
            errors = exc.errors
        else:
            flash(_("Site content saved."), "success")
            return redirect(url_for("admin.site"))
    return render_template(
        "admin/site.html",
        content=svc.site.content(),
        themes=svc.catalog.themes(),
        eu_themes=sorted(EU_THEMES),
        errors=errors,
    ), 422 if errors else 200


@bp.post("/themes")
@login_required
def theme() -> ResponseReturnValue:
    actor, form, svc = current_actor(), request.form, services()
    try:
        save_theme(
            svc.sessions,
            actor,
            form.get("name", "").strip(),
            form.get("title_vi", ""),
            form.get("title_en", ""),
            form.get("eu_theme", ""),
            form.get("position", 0, type=int) or 0,
        )
    except InvalidInput as exc:
        flash(_("The theme was not saved: %(problems)s", problems=_problems(exc)), "error")
        return redirect(url_for("admin.site")), 303
    svc.audit.record(actor.user_id, "theme.save", f"theme:{form.get('name', '')}")
    flash(_("Theme saved."), "success")
    return redirect(url_for("admin.site"))


@bp.get("/audit")
@login_required
def audit() -> ResponseReturnValue:
    args = request.args
    page = services().audit.page(
        current_actor(),
        page=max(1, args.get("page", 1, type=int) or 1),
        action=args.get("action", "")[:60],
        actor_name=args.get("actor", "")[:100],
    )
    return render_template(
        "admin/audit.html", result=page, action=args.get("action", ""), actor=args.get("actor", "")
    )


def _problems(exc: InvalidInput) -> str:
    return "; ".join(f"{field}: {', '.join(codes)}" for field, codes in exc.errors.items())
