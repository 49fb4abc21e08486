"""Sign-in and sign-out with a password."""

from __future__ import annotations

from urllib.parse import urlparse

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from app.context import services
from app.security import sign_in, sign_out
from app.throttles import throttles
from publishers import Unauthenticated

bp = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str:
    """Return ``target`` when it is a path on this site, else the home page."""
    parsed = urlparse(target or "")
    if not target or parsed.scheme or parsed.netloc or not target.startswith("/"):
        return url_for("public.home")
    return target


@bp.route("/user/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    if request.method == "GET":
        return render_template("auth/login.html", next=request.args.get("next", ""))
    login_name = request.form.get("login", "").strip()
    svc, limits = services(), throttles()
    account = svc.accounts.find_user(login_name) if login_name else None
    known = account is not None and account.id in limits.known_accounts(request)
    attempt = limits.signin(
        request.remote_addr or "unknown", account.id if account else login_name, known
    )
    if not attempt.allowed:
        target = f"user:{account.id}" if account else "unknown account"
        svc.audit.record(account.id if account else None, "signin.throttled", target)
        return _refused(login_name, 429, {"Retry-After": str(attempt.retry_after)})
    try:
        user = svc.accounts.authenticate(login_name, request.form.get("password", ""))
    except Unauthenticated as exc:
        _audit_failure(exc)
        return _refused(login_name, 401)
    limits.give_back(attempt)
    sign_in(user)
    response = redirect(safe_next(request.form.get("next")))
    limits.remember_device(request, response, user.id)
    return response


def _refused(
    login_name: str, status: int, headers: dict[str, str] | None = None
) -> ResponseReturnValue:
    # One message for every refusal: it does not tell which accounts exist or are throttled.
    flash(_("Wrong user name or password, or too many attempts: wait a while."), "error")
    page = render_template("auth/login.html", next=request.form.get("next", ""), login=login_name)
    return page, status, headers or {}


def _audit_failure(exc: Unauthenticated) -> None:
    # The account's id only (never the name or address typed).
    user_id = exc.params.get("user_id")
    if user_id is None:
        services().audit.record(None, "signin.failed", "unknown account")
        return
    services().audit.record(str(user_id), "signin.failed", f"user:{user_id}")


@bp.post("/user/logout")
@login_required
def logout() -> ResponseReturnValue:
    sign_out()
    flash(_("You are signed out."), "info")
    return redirect(url_for("public.home"))
