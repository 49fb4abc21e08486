"""Publishing pages: create and edit datasets, upload, decide, submit and review."""

from __future__ import annotations

from collections.abc import Iterable
from types import SimpleNamespace

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from app.context import current_actor, services
from app.place_filters import place_labels
from app.web.access_text import access_level_choices
from app.web.forms import metadata_from_form
from app.web.resources import ENCODINGS
from datasets.errors import StaleVersion, SubmissionBlocked
from datasets.members import MemberDataset, member_dataset
from datasets.model import Dataset, ResourceVersion
from datasets.places import MAX_UNITS
from datasets.preview import TablePreview, preview_csv
from datasets.public import PublicDataset
from datasets.vocab import FREQUENCIES, LICENSES
from datasets.workflow import resource_problems
from publishers import Actor, InvalidInput, Permission, can, organizations_where, utcnow

bp = Blueprint("manage", __name__)


def _form_context(**extra: object) -> dict[str, object]:
    svc = services()
    actor = current_actor()
    orgs = [
        o for o in svc.accounts.list_organizations() if can(actor, Permission.CREATE_DATASET, o.id)
    ]
    return {
        "organizations": orgs,
        "licenses": LICENSES,
        "frequencies": FREQUENCIES,
        "themes": svc.catalog.themes(),
        "access_levels": access_level_choices(),
        "place_labels": place_labels(_chosen_places(extra.get("form"))),
        **extra,
    }


def _chosen_places(form: object) -> list[str]:
    """The unit keys a form shows as chosen (old units among them need their names too)."""
    if isinstance(form, SimpleNamespace):
        return list(form.spatial_units)
    getlist = getattr(form, "getlist", None)
    return list(getlist("spatial_units"))[:MAX_UNITS] if getlist is not None else []


@bp.route("/dataset/new", methods=["GET", "POST"])
@login_required
def new_dataset() -> ResponseReturnValue:
    if request.method == "GET":
        return render_template("manage/edit.html", **_form_context(dataset=None, form={}))
    try:
        dataset = services().editor.create(
            current_actor(),
            request.form.get("organization_id", ""),
            metadata_from_form(request.form),
        )
    except InvalidInput as exc:
        return render_template(
            "manage/edit.html", **_form_context(dataset=None, form=request.form, errors=exc.errors)
        ), 422
    flash(_("Dataset created as a draft. Now add its files."), "success")
    return redirect(url_for("manage.dataset", name=dataset.name))


def _load(name: str) -> MemberDataset:
    with services().sessions() as session:
        return member_dataset(session, current_actor(), name)


def _form_values(view: MemberDataset) -> SimpleNamespace:
    """The metadata of the revision members work on, under the edit form's field names."""
    return SimpleNamespace(
        title_vi=view.title,
        title_en=view.title_en,
        description_vi=view.description,
        description_en=view.description_en,
        tags=list(view.tags),
        themes=list(view.themes),
        license_id=view.license_id,
        contact_email=view.contact_email,
        temporal_start=view.temporal_start,
        temporal_end=view.temporal_end,
        spatial=view.spatial,
        spatial_units=list(view.spatial_units),
        frequency=view.frequency,
        access_level=view.access_level,
        access_instructions=view.access_instructions,
    )


@bp.route("/dataset/edit/<slug:name>", methods=["GET", "POST"])
@login_required
def edit_dataset(name: str) -> ResponseReturnValue:
    dataset = _load(name)
    if request.method == "GET":
        form = _form_values(dataset)
        return render_template("manage/edit.html", **_form_context(dataset=dataset, form=form))
    try:
        services().editor.update_metadata(
            current_actor(),
            name,
            metadata_from_form(request.form),
            expected_version=request.form.get("lock_version", type=int),
        )
    except StaleVersion:
        flash(
            _(
                "Someone else saved this dataset while you were editing. "
                "Your changes were not saved: review the current version and edit again."
            ),
            "error",
        )
        return redirect(url_for("manage.edit_dataset", name=name)), 303
    except InvalidInput as exc:
        return render_template(
            "manage/edit.html",
            **_form_context(dataset=dataset, form=request.form, errors=exc.errors),
        ), 422
    flash(_("Changes saved."), "success")
    return redirect(url_for("manage.dataset", name=name))


def _user_names(ids: Iterable[str | None]) -> dict[str, str]:
    """Return user id → display name (full name, else account name) for activity lines."""
    accounts = services().accounts
    names = {}
    for user_id in {i for i in ids if i}:
        info = accounts.find_user(user_id)
        if info is not None:
            names[user_id] = info.full_name or info.name
    return names


# Rows of the public file shown to publisher and steward before it is public, and rows read
# to tell a column that generalizing emptied.
PUBLIC_PREVIEW_ROWS = 10
EMPTY_SCAN_ROWS = 2000


def _public_previews(dataset: MemberDataset) -> dict[str, TablePreview]:
    """The first rows of each table's public file (stripped), by resource id."""
    store = services().public_store
    previews = {}
    for version in dataset.resources:
        if version.is_tabular and version.public_sha256 and version.status == "ready":
            with store.open(version.public_sha256) as stream:
                previews[version.resource_id] = preview_csv(
                    stream, limit=PUBLIC_PREVIEW_ROWS, scan=EMPTY_SCAN_ROWS
                )
    return previews


@bp.get("/dataset/<slug:name>/manage")
def dataset(name: str) -> ResponseReturnValue:
    dataset = _load(name)
    actor = current_actor()
    svc = services()
    activity = svc.workflow.activity(dataset.id)
    org = dataset.organization_id
    return render_template(
        "manage/dataset.html",
        dataset=dataset,
        problems=resource_problems(dataset.resources),
        public_previews=_public_previews(dataset),
        allowed=dataset.transitions,
        activity=activity,
        names=_user_names(a.actor_id for a in activity),
        can_approve=can(actor, Permission.APPROVE, org),
        can_withdraw=can(actor, Permission.WITHDRAW, org),
        can_read_original=can(actor, Permission.READ_ORIGINAL, org),
        can_keep=can(actor, Permission.DECIDE_KEEP, org),
        k_min=svc.settings.k_anonymity_min,
        max_upload_bytes=svc.settings.max_upload_bytes,
        max_upload_mb=svc.settings.max_upload_mb,
        encodings=ENCODINGS,
        licenses=LICENSES,
        paused_feeds=svc.live_feed.paused(dataset.id),
    )


@bp.post("/dataset/<slug:name>/submit")
@login_required
def submit(name: str) -> ResponseReturnValue:
    try:
        services().workflow.submit(current_actor(), name)
    except SubmissionBlocked:
        flash(_("Resolve the problems listed below before submitting."), "error")
        return redirect(url_for("manage.dataset", name=name)), 303
    flash(_("Submitted for review."), "success")
    return redirect(url_for("manage.dataset", name=name))


@bp.post("/dataset/<slug:name>/approve")
@login_required
def approve(name: str) -> ResponseReturnValue:
    try:
        services().workflow.approve(
            current_actor(),
            name,
            request.form.get("comment", ""),
            license_id=request.form.get("license_id", ""),
        )
    except SubmissionBlocked:
        flash(_("Resolve the problems listed below before submitting."), "error")
        return redirect(url_for("manage.dataset", name=name)), 303
    flash(_("Approved and published."), "success")
    return redirect(url_for("public.dataset", name=name))


@bp.post("/dataset/<slug:name>/reject")
@login_required
def reject(name: str) -> ResponseReturnValue:
    try:
        services().workflow.reject(current_actor(), name, request.form.get("comment", ""))
    except InvalidInput:
        flash(_("Write a comment so the publisher knows what to change."), "error")
        return redirect(url_for("manage.dataset", name=name)), 303
    flash(_("Sent back to the publisher."), "success")
    return redirect(url_for("manage.review"))


@bp.post("/dataset/<slug:name>/withdraw")
@login_required
def withdraw(name: str) -> ResponseReturnValue:
    try:
        services().workflow.withdraw(current_actor(), name, request.form.get("comment", ""))
    except InvalidInput:
        flash(_("Give a reason for withdrawing the dataset."), "error")
        return redirect(url_for("manage.dataset", name=name)), 303
    flash(_("Dataset withdrawn from public view."), "success")
    return redirect(url_for("manage.dataset", name=name))


@bp.post("/dataset/<slug:name>/delete")
@login_required
def delete(name: str) -> ResponseReturnValue:
    services().workflow.delete_draft(current_actor(), name)
    flash(_("Draft deleted."), "success")
    return redirect(url_for("manage.review"))


@bp.get("/review")
@login_required
def review() -> ResponseReturnValue:
    actor = current_actor()
    svc = services()
    items = svc.workflow.review_queue(actor)
    overdue = _overdue_datasets(actor)
    return render_template(
        "manage/review.html",
        items=items,
        versions=_queue_versions(item.dataset_id for item in items),
        names=_user_names(i.submitted_by for i in items),
        my_datasets=svc.workflow.datasets_of(organizations_where(actor, Permission.EDIT_DATASET)),
        organizations={o.id: o for o in svc.accounts.list_organizations()},
        open_reports=svc.reports.count_open(actor),
        data_requests=svc.data_requests.open_for(actor),
        now=utcnow(),
        overdue=overdue,
        due_dates=svc.freshness.flags(overdue),
        frequencies=FREQUENCIES,
    )


def _overdue_datasets(actor: Actor) -> list[PublicDataset]:
    """The published datasets of the organizations ``actor`` stewards that are late for
    their declared update (issue 21)."""
    svc = services()
    org_ids = organizations_where(actor, Permission.APPROVE)
    names = [o.name for o in svc.accounts.list_organizations() if o.id in org_ids]
    return svc.freshness.overdue_of(names)


def _queue_versions(dataset_ids: Iterable[str]) -> dict[str, list[ResourceVersion]]:
    """Return each waiting dataset's resource versions (for the report links)."""
    result: dict[str, list[ResourceVersion]] = {}
    with services().sessions() as session:
        for dataset_id in dataset_ids:
            dataset = session.get(Dataset, dataset_id)
            if dataset is not None and dataset.working_revision is not None:
                result[dataset_id] = [e.version for e in dataset.working_revision.entries]
    return result
