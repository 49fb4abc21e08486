"""Sign-in and sign-out with a password."""

from __future__ import annotations

from urllib.parse import urlparse

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from app.context import services
from app.security import sign_in, sign_out
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
    try:
        user = services().accounts.authenticate(login_name, request.form.get("password", ""))
    except Unauthenticated as exc:
        _audit_failure(exc)
        flash(_("Wrong user name or password, or the account is locked for a while."), "error")
        return render_template(
            "auth/login.html", next=request.form.get("next", ""), login=login_name
        ), 401
    sign_in(user)
    return redirect(safe_next(request.form.get("next")))


def _audit_failure(exc: Unauthenticated) -> None:
    # The account's id only (never the name or address typed): failures and lockouts.
    user_id = exc.params.get("user_id")
    if user_id is None:
        services().audit.record(None, "signin.failed", "unknown account")
        return
    locked = exc.params.get("locked") or exc.params.get("locking")
    action = "signin.locked" if locked else "signin.failed"
    services().audit.record(str(user_id), action, f"user:{user_id}")


@bp.post("/user/logout")
@login_required
def logout() -> ResponseReturnValue:
    sign_out()
    flash(_("You are signed out."), "info")
    return redirect(url_for("public.home"))
