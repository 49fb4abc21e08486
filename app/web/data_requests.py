"""Data requests (issue 21): the public list, the form, a request's page, answers, votes."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app.context import current_actor, services
from datasets.data_requests import (
    ANSWERS,
    NewRequest,
    RequestStatus,
    TooManyDataRequests,
)
from datasets.leak_reports import client_key
from publishers import InvalidInput

bp = Blueprint("data_requests", __name__)


def _client() -> str:
    return client_key(request.remote_addr or "", services().keys.hash_key)


def _page_arg() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < len(raw) <= 4 else 1


@bp.get("/requests")
def request_list() -> ResponseReturnValue:
    status = request.args.get("status", "")
    text = request.args.get("q", "")[:200]
    organization = request.args.get("organization", "")[:100]
    if status not in {s.value for s in RequestStatus}:
        status = ""
    found = services().data_requests.page(
        status=status, text=text, organization=organization, page=_page_arg()
    )
    return render_template(
        "requests/list.html",
        found=found,
        status=status,
        text=text,
        organization=organization,
        statuses=list(RequestStatus),
    )


def _form_page(
    form: dict[str, str], errors: dict[str, list[str]], status: int = 200
) -> tuple[str, int]:
    orgs = services().accounts.list_organizations()
    page = render_template(
        "requests/new.html",
        form=form,
        errors=errors,
        organizations=orgs,
        anonymous=current_actor().is_anonymous,
        throttled=status == 429,
    )
    return page, status


@bp.route("/requests/new", methods=["GET", "POST"])
def new_request() -> ResponseReturnValue:
    if request.method == "GET":
        title = request.args.get("title", "")[:200]
        organization = request.args.get("organization", "")[:100]
        return _form_page({"title": title, "organization": organization}, {})
    form = {k: request.form.get(k, "") for k in ("title", "description", "organization")}
    new = NewRequest(
        title=form["title"],
        description=form["description"],
        organization=form["organization"],
        contact_email=request.form.get("contact_email", ""),
        show_name=request.form.get("show_name") == "yes",
    )
    try:
        view = services().data_requests.ask(current_actor(), new, _client())
    except InvalidInput as exc:
        return _form_page(form, exc.errors, 422)
    except TooManyDataRequests:
        page, status = _form_page(form, {}, 429)
        return page, status, {"Retry-After": "3600"}
    flash(_("Thank you: your request is published. We will write to you when it is answered."))
    return redirect(url_for("data_requests.request_page", request_id=view.id), 303)


@bp.get("/requests/<slug:request_id>")
def request_page(request_id: str) -> ResponseReturnValue:
    actor = current_actor()
    svc = services().data_requests
    view = svc.get(actor, request_id)
    return render_template(
        "requests/detail.html",
        item=view,
        may_answer=not view.hidden and svc.may_answer(actor, view.organization_id),
        may_moderate=svc.may_moderate(actor),
        answers=ANSWERS,
        errors={},
        form={},
    )


@bp.post("/requests/<slug:request_id>/vote")
def vote(request_id: str) -> ResponseReturnValue:
    try:
        counted = services().data_requests.vote(current_actor(), request_id, _client())
    except TooManyDataRequests:
        flash(_("Too many votes from your connection in the last hour."), "error")
        return redirect(url_for("data_requests.request_page", request_id=request_id), 303)
    if counted:
        flash(_("Thank you: your vote is counted."), "success")
    else:
        flash(_("You already said you need this."), "info")
    return redirect(url_for("data_requests.request_page", request_id=request_id), 303)


@bp.post("/requests/<slug:request_id>/answer")
def answer(request_id: str) -> ResponseReturnValue:
    actor = current_actor()
    if actor.is_anonymous:
        abort(403)
    svc = services().data_requests
    form = {k: request.form.get(k, "") for k in ("status", "note", "dataset")}
    try:
        svc.answer(actor, request_id, form["status"], form["note"], form["dataset"])
    except InvalidInput as exc:
        view = svc.get(actor, request_id)
        page = render_template(
            "requests/detail.html",
            item=view,
            may_answer=True,
            may_moderate=svc.may_moderate(actor),
            answers=ANSWERS,
            errors=exc.errors,
            form=form,
        )
        return page, 422
    flash(_("Answer saved; the requester is told by e-mail."), "success")
    return redirect(url_for("data_requests.request_page", request_id=request_id), 303)


@bp.post("/requests/<slug:request_id>/hide")
def hide(request_id: str) -> ResponseReturnValue:
    hidden = request.form.get("hidden", "yes") == "yes"
    services().data_requests.hide(current_actor(), request_id, hidden)
    flash(_("Request hidden.") if hidden else _("Request shown again."), "success")
    return redirect(url_for("data_requests.request_page", request_id=request_id), 303)
