"""Admin pages of harvest sources (sysadmins): list, add, edit, run now, job reports."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from app.context import current_actor, services
from harvesters import SOURCE_TYPES, Harvester
from publishers import Conflict, InvalidInput, Permission, require

bp = Blueprint("admin_harvest", __name__, url_prefix="/admin/harvest")
SCHEDULES = ("manual", "hourly", "daily", "weekly")


def _harvester() -> Harvester:
    require(current_actor(), Permission.MANAGE_HARVEST)
    return services().harvester


def _form(**extra: Any) -> dict[str, Any]:
    return {
        "types": SOURCE_TYPES,
        "schedules": SCHEDULES,
        "organizations": services().accounts.list_organizations(),
        **extra,
    }


@bp.get("")
@login_required
def sources() -> ResponseReturnValue:
    harvester = _harvester()
    items = [
        (s, next(iter(harvester.jobs(s.name, limit=1)), None)) for s in harvester.sources.list()
    ]
    return render_template("admin/harvest_sources.html", items=items)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new_source() -> ResponseReturnValue:
    harvester = _harvester()
    if request.method == "GET":
        return render_template("admin/harvest_form.html", **_form(source=None, form={}))
    f = request.form
    try:
        info = harvester.sources.register(
            f.get("name", "").strip(),
            f.get("type", ""),
            f.get("url", ""),
            f.get("organization", ""),
            f.get("config", "") or "{}",
            f.get("schedule", "") or "manual",
        )
    except (InvalidInput, Conflict) as exc:
        errors = getattr(exc, "errors", None) or {"name": ["taken"]}
        page = render_template(
            "admin/harvest_form.html", **_form(source=None, form=f, errors=errors)
        )
        return page, 422
    services().audit.record(
        current_actor().user_id,
        "harvest_source.create",
        f"harvest_source:{info.name}",
        details={"type": info.type},
    )
    flash(_("Harvest source registered."), "success")
    return redirect(url_for("admin_harvest.source", name=info.name))


@bp.route("/<slug:name>/edit", methods=["GET", "POST"])
@login_required
def edit_source(name: str) -> ResponseReturnValue:
    harvester = _harvester()
    info = harvester.sources.get(name)
    if request.method == "GET":
        form = {"url": info.url, "schedule": info.schedule, "config": _pretty(info.config)}
        return render_template("admin/harvest_form.html", **_form(source=info, form=form))
    f = request.form
    try:
        harvester.sources.update(
            name,
            url=f.get("url", ""),
            config=f.get("config", "") or "{}",
            schedule=f.get("schedule", ""),
        )
    except InvalidInput as exc:
        page = render_template(
            "admin/harvest_form.html", **_form(source=info, form=f, errors=exc.errors)
        )
        return page, 422
    services().audit.record(
        current_actor().user_id, "harvest_source.update", f"harvest_source:{name}"
    )
    flash(_("Harvest source saved."), "success")
    return redirect(url_for("admin_harvest.source", name=name))


@bp.get("/<slug:name>")
@login_required
def source(name: str) -> ResponseReturnValue:
    harvester = _harvester()
    info = harvester.sources.get(name)
    organization = services().accounts.find_organization(info.organization_id)
    return render_template(
        "admin/harvest_source.html",
        source=info,
        organization=organization,
        config=_pretty(info.config),
        jobs=harvester.jobs(name),
    )


@bp.post("/<slug:name>/run")
@login_required
def run_source(name: str) -> ResponseReturnValue:
    harvester = _harvester()
    dry_run = request.form.get("dry_run") == "1"
    job_id = harvester.queue_run(name, dry_run=dry_run)
    services().audit.record(
        current_actor().user_id,
        "harvest.run",
        f"harvest_source:{name}",
        details={"dry_run": dry_run},
    )
    flash(_("Harvest job queued."), "success")
    return redirect(url_for("admin_harvest.job", name=name, job_id=job_id))


@bp.get("/<slug:name>/jobs/<job_id>")
@login_required
def job(name: str, job_id: str) -> ResponseReturnValue:
    harvester = _harvester()
    info = harvester.sources.get(name)
    found = harvester.job(job_id)
    if found.source_id != info.id:
        abort(404)
    return render_template("admin/harvest_job.html", source=info, job=found)


def _pretty(config: Any) -> str:
    return json.dumps(config, ensure_ascii=False, indent=2, sort_keys=True)
