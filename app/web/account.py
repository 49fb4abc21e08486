"""The user's own account: API tokens, registration, e-mail verification, password reset."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.api_auth import token_datasets
from app.context import services
from app.throttles import throttles
from datasets.usage import Subject
from datasets.webhooks import EVENTS
from publishers import (
    ApiToken,
    Conflict,
    InvalidInput,
    Mail,
    NotFound,
    PermissionDenied,
    Scope,
    UserInfo,
)

log = logging.getLogger(__name__)
bp = Blueprint("account", __name__)
USAGE_DAYS = 14


def _me() -> UserInfo:
    return services().accounts.get_user(current_user.id)


def _account_page(
    new_token: str = "",
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
    *,
    new_secret: str = "",
    webhook_errors: dict[str, list[str]] | None = None,
) -> ResponseReturnValue:
    svc, me = services(), _me()
    tokens = svc.tokens.list_for(me.id)
    limits = svc.rate_limits
    response = render_template(
        "account/account.html",
        me=me,
        tokens=tokens,
        usage=_usage(tokens),
        today={t.id: limits.used_today(t.id) for t in tokens} if limits.daily else {},
        quota=limits.daily,
        new_token=new_token,
        errors=errors or {},
        webhooks=svc.webhooks.list_for(me.id),
        events=EVENTS,
        new_secret=new_secret,
        webhook_errors=webhook_errors or {},
        form=request.form if webhook_errors else {},
    )
    return response, status, {"Cache-Control": "no-store"}


def _usage(tokens: Sequence[ApiToken]) -> dict[str, list[tuple[date, int]]]:
    """API calls per day of each token over two weeks (counted by the API's recorder)."""
    recorder = services().usage
    return {t.id: recorder.daily(Subject.TOKEN, t.id, days=USAGE_DAYS) for t in tokens}


@bp.get("/user/account")
@login_required
def account() -> ResponseReturnValue:
    return _account_page()


@bp.post("/user/account/tokens")
@login_required
def create_token() -> ResponseReturnValue:
    svc, form = services(), request.form
    scope = Scope.READ if form.get("scope") == Scope.READ.value else Scope.READ_WRITE
    days = form.get("expires_days", "").strip()
    # Optional: the datasets the token may read beyond public data (names, comma-separated).
    limit = form.get("datasets", "").replace(",", " ").split()
    try:
        if days and not days.isdigit():
            raise InvalidInput("bad expiry", {"expires_days": ["invalid"]})
        token = svc.tokens.create(
            current_user.id,
            form.get("name", ""),
            scope=scope,
            expires_days=int(days) if days else None,
            datasets=token_datasets(limit) if limit else None,
        )
    except InvalidInput as exc:
        return _account_page(errors=exc.errors, status=422)
    except PermissionDenied:
        flash(_("Verify your e-mail address before creating API tokens."), "error")
        return redirect(url_for("account.account")), 303
    svc.audit.record(
        current_user.id,
        "token.create",
        f"user:{current_user.id}",
        details={"scope": scope.value, "datasets": len(limit) if limit else None},
    )
    flash(_("Token created. Copy it now: it is shown only once."), "success")
    return _account_page(new_token=token, status=201)


@bp.post("/user/account/tokens/<token_id>/revoke")
@login_required
def revoke_token(token_id: str) -> ResponseReturnValue:
    svc = services()
    if svc.tokens.revoke_id(current_user.id, token_id):
        svc.audit.record(current_user.id, "token.revoke", f"token:{token_id}")
        flash(_("Token revoked: it no longer works."), "success")
    else:
        flash(_("No such token."), "error")
    return redirect(url_for("account.account"))


# -- webhooks (issue 23) -------------------------------------------------------------------


@bp.post("/user/account/webhooks")
@login_required
def create_webhook() -> ResponseReturnValue:
    svc, form = services(), request.form
    target = form.get("target", "").strip()
    kind = form.get("target_kind", "dataset")
    try:
        created = svc.webhooks.create(
            current_user.id,
            form.get("token_id", ""),
            form.get("url", ""),
            dataset=target if kind == "dataset" else "",
            organization=target if kind == "organization" else "",
            events=form.getlist("events") or None,
        )
    except InvalidInput as exc:
        return _account_page(webhook_errors=exc.errors, status=422)
    except NotFound:
        return _account_page(webhook_errors={"target": ["not_found"]}, status=422)
    svc.audit.record(current_user.id, "webhook.create", f"webhook:{created.webhook.id}")
    flash(_("Webhook created. Copy its secret now: it is shown only once."), "success")
    return _account_page(new_secret=created.secret, status=201)


@bp.post("/user/account/webhooks/<webhook_id>/delete")
@login_required
def delete_webhook(webhook_id: str) -> ResponseReturnValue:
    svc = services()
    try:
        svc.webhooks.delete(current_user.id, webhook_id)
    except NotFound:
        flash(_("No such webhook."), "error")
    else:
        svc.audit.record(current_user.id, "webhook.delete", f"webhook:{webhook_id}")
        flash(_("Webhook deleted."), "success")
    return redirect(url_for("account.account") + "#webhooks")


@bp.get("/user/account/webhooks/<webhook_id>")
@login_required
def webhook_deliveries(webhook_id: str) -> ResponseReturnValue:
    svc = services()
    webhook = svc.webhooks.get(current_user.id, webhook_id)  # NotFound: 404
    deliveries = svc.webhooks.deliveries(current_user.id, webhook_id, 100)
    page = render_template("account/webhook.html", webhook=webhook, deliveries=deliveries)
    return page, 200, {"Cache-Control": "no-store"}


# -- registration and e-mail verification ---------------------------------------------------


def _link(endpoint: str, token: str) -> str:
    return services().settings.site_url.rstrip("/") + url_for(endpoint, token=token)


def _send(mail: Mail) -> bool:
    try:
        services().mailer.send(mail)
    except OSError:
        log.exception("mail not sent")
        flash(_("The e-mail could not be sent just now. Please try again later."), "error")
        return False
    return True


def _verification_mail(user: UserInfo, token: str) -> Mail:
    body = _(
        "Hello %(name)s,\n\nconfirm your e-mail address for the open data portal by opening "
        "this link within 3 days:\n\n%(link)s\n\nIf you did not register, ignore this message.",
        name=user.name,
        link=_link("account.verify", token=token),
    )
    return Mail(to=(user.email,), subject=_("Confirm your e-mail address"), body=body)


def _mail_throttled(address: str) -> ResponseReturnValue | None:
    """Count a request that sends mail; return the refusal when over a limit."""
    attempt = throttles().mail(request.remote_addr or "unknown", address)
    if attempt.allowed:
        return None
    services().audit.record(None, "mail.throttled", request.endpoint or "")
    page = render_template(
        "account/message.html",
        title=_("Too many requests"),
        message=_("Too many requests: try again in %(n)s seconds.", n=attempt.retry_after),
    )
    return page, 429, {"Retry-After": str(attempt.retry_after)}


@bp.route("/user/register", methods=["GET", "POST"])
def register() -> ResponseReturnValue:
    form, errors = request.form, {}
    if request.method == "POST":
        refused = _mail_throttled(form.get("email", ""))
        if refused is not None:
            return refused
        try:
            if form.get("password", "") != form.get("password2", ""):
                raise InvalidInput("mismatch", {"password2": ["password_mismatch"]})
            user, token = services().registration.register(
                form.get("name", "").strip(),
                form.get("email", "").strip(),
                form.get("password", ""),
                full_name=form.get("full_name", "").strip(),
            )
        except InvalidInput as exc:
            errors = exc.errors
        except Conflict:
            errors = {"name": ["taken"]}
        else:
            services().audit.record(user.id, "user.register", f"user:{user.id}")
            _send(_verification_mail(user, token))
            return render_template(
                "account/message.html",
                title=_("Check your mailbox"),
                message=_(
                    "We sent a link to %(email)s. Open it to verify your address, then sign in.",
                    email=user.email,
                ),
            )
    return render_template(
        "account/register.html", form=form, errors=errors
    ), 422 if errors else 200


@bp.get("/user/verify/<token>")
def verify(token: str) -> ResponseReturnValue:
    try:
        user = services().registration.verify_email(token)
    except InvalidInput as exc:
        return render_template(
            "account/message.html", title=_("Link not valid"), errors=exc.errors
        ), 400
    services().audit.record(user.id, "user.verify_email", f"user:{user.id}")
    flash(_("Your e-mail address is verified."), "success")
    return redirect(url_for("account.account" if current_user.is_authenticated else "auth.login"))


@bp.post("/user/verify/resend")
@login_required
def resend_verification() -> ResponseReturnValue:
    me = _me()
    refused = _mail_throttled(me.email)
    if refused is not None:
        return refused
    if not me.email_verified and _send(
        _verification_mail(me, services().registration.verification_token(me))
    ):
        flash(_("We sent a new link to %(email)s.", email=me.email), "success")
    return redirect(url_for("account.account"))


# -- password reset -------------------------------------------------------------------------


@bp.route("/user/reset", methods=["GET", "POST"])
def reset_request() -> ResponseReturnValue:
    if request.method == "GET":
        return render_template("account/reset_request.html")
    refused = _mail_throttled(request.form.get("email", ""))
    if refused is not None:
        return refused
    found = services().registration.reset_token(request.form.get("email", ""))
    if found is not None:
        user, token = found
        body = _(
            "Hello %(name)s,\n\nsomeone asked to reset the password of your account on the open "
            "data portal. Choose a new password within 2 hours with this link (it works once):"
            "\n\n%(link)s\n\nIf it was not you, ignore this message: your password stays as it is.",
            name=user.name,
            link=_link("account.reset_password", token=token),
        )
        try:
            services().mailer.send(
                Mail(to=(user.email,), subject=_("Reset your password"), body=body)
            )
        except OSError:
            log.exception("reset mail not sent")  # the answer stays the same
    # The same answer whether or not the address has an account.
    return render_template(
        "account/message.html",
        title=_("Check your mailbox"),
        message=_("If an account uses that address, we sent it a link to choose a new password."),
    )


@bp.route("/user/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> ResponseReturnValue:
    form, errors = request.form, {}
    if request.method == "POST":
        try:
            if form.get("password", "") != form.get("password2", ""):
                raise InvalidInput("mismatch", {"password2": ["password_mismatch"]})
            user = services().registration.reset_password(token, form.get("password", ""))
        except InvalidInput as exc:
            errors = exc.errors
        else:
            services().audit.record(user.id, "user.password_reset", f"user:{user.id}")
            flash(_("Your password is changed. Sign in with it."), "success")
            return redirect(url_for("auth.login"))
    return render_template("account/reset.html", token=token, errors=errors), 422 if errors else 200
