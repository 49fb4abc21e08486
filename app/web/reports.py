"""Reports of personal data from the public, and the stewards' pages that handle them."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from app.context import current_actor, services
from datasets import PublicDataset, ReportStatus, TooManyReports
from datasets.leak_reports import client_key
from publishers import InvalidInput, NotFound, utcnow

bp = Blueprint("reports", __name__)


def _public_dataset(name: str) -> PublicDataset:
    view = services().catalog.get(name)
    if view is None:
        raise NotFound("dataset not found")
    return view


@bp.route("/dataset/<slug:name>/report", methods=["GET", "POST"])
def report_form(name: str) -> ResponseReturnValue:
    view = _public_dataset(name)
    if request.method == "GET":
        return render_template("public/report_form.html", dataset=view, form={}, errors={})
    svc = services()
    try:
        report_id = svc.reports.file(
            view.name,
            request.form.get("resource_id", ""),
            request.form.get("text", ""),
            request.form.get("contact_email", ""),
            client_key(request.remote_addr or "", svc.keys.hash_key),
        )
    except InvalidInput as exc:
        return render_template(
            "public/report_form.html", dataset=view, form=request.form, errors=exc.errors
        ), 422
    except TooManyReports:
        page = render_template("public/report_form.html", dataset=view, form={}, throttled=True)
        return page, 429, {"Retry-After": "3600"}
    return redirect(url_for("reports.report_receipt", name=view.name, report_id=report_id), 303)


@bp.get("/dataset/<slug:name>/report/<slug:report_id>")
def report_receipt(name: str, report_id: str) -> ResponseReturnValue:
    """The reporter's receipt: status and deadline only (never the text)."""
    view = _public_dataset(name)
    status = services().reports.public_status(report_id, view.id)
    return render_template("public/report_receipt.html", dataset=view, status=status)


@bp.get("/review/reports")
@login_required
def report_list() -> ResponseReturnValue:
    reports = services().reports.for_steward(current_actor())
    return render_template("manage/reports.html", reports=reports, now=utcnow())


@bp.route("/review/reports/<slug:report_id>", methods=["GET", "POST"])
@login_required
def report_detail(report_id: str) -> ResponseReturnValue:
    svc = services()
    if request.method == "POST":
        try:
            svc.reports.set_status(
                current_actor(),
                report_id,
                request.form.get("status", ""),
                request.form.get("note", ""),
            )
        except InvalidInput:
            flash(_("Choose a status from the list."), "error")
        else:
            flash(_("Report updated."), "success")
        return redirect(url_for("reports.report_detail", report_id=report_id), 303)
    report = svc.reports.get(current_actor(), report_id)
    return render_template(
        "manage/report_detail.html", report=report, statuses=list(ReportStatus), now=utcnow()
    )
