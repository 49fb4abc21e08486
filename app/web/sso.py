"""OpenID Connect single sign-on (SPEC §1, §5) with Authlib.

Authorization-code flow with PKCE (S256), state and nonce; the provider's endpoints and
keys come from its discovery document. Authlib checks the ID token's signature against
the provider's JWKS and its issuer, audience, expiry and nonce. The account is the one
with the same e-mail address when the provider says it is verified (``email_verified``),
or a new account without roles. Off unless ``OPENDATA_OIDC_ISSUER`` is set.
"""

from __future__ import annotations

import logging
from typing import Any

from authlib.integrations.flask_client import OAuth
from flask import Blueprint, abort, current_app, flash, redirect, render_template, session
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app.context import services
from app.security import sign_in
from app.web.auth import safe_next
from publishers import Unauthenticated

log = logging.getLogger(__name__)
bp = Blueprint("sso", __name__)
PROVIDER = "city"
_NEXT = "sso_next"


@bp.record_once
def _register_provider(state: BlueprintSetupState) -> None:
    settings = state.app.extensions["opendata"].settings
    if not settings.oidc_issuer:
        return
    state.app.config["OPENDATA_SSO"] = True
    oauth = OAuth(state.app)
    oauth.register(
        PROVIDER,
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret or None,
        server_metadata_url=settings.oidc_issuer.rstrip("/") + "/.well-known/openid-configuration",
        client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256"},
    )


def _client() -> Any:
    oauth = current_app.extensions.get("authlib.integrations.flask_client")
    if oauth is None:
        abort(404)  # single sign-on is not configured
    return oauth.create_client(PROVIDER)


def redirect_uri() -> str:
    """The callback address registered with the provider (under OPENDATA_SITE_URL)."""
    return services().settings.site_url.rstrip("/") + "/user/oidc/callback"


@bp.get("/user/oidc/login")
def login() -> ResponseReturnValue:
    from flask import request

    client = _client()
    session[_NEXT] = safe_next(request.args.get("next"))
    # Authlib ships no type hints: its client methods return Any.
    return client.authorize_redirect(redirect_uri())  # type: ignore[no-any-return]


def _claims(client: Any, token: dict[str, Any]) -> dict[str, Any]:
    """The validated ID token's claims, completed from the userinfo endpoint when the
    provider keeps e-mail claims out of the ID token (OIDC Core 5.4)."""
    claims = dict(token.get("userinfo") or {})
    if "email" not in claims:
        extra = dict(client.userinfo(token=token))
        if extra.get("sub") != claims.get("sub"):  # OIDC Core 5.3.2: must be the same user
            raise ValueError("userinfo subject differs from the ID token's")
        claims.update({k: extra[k] for k in ("email", "email_verified", "name") if k in extra})
    return claims


@bp.get("/user/oidc/callback")
def callback() -> ResponseReturnValue:
    client = _client()
    try:
        token = client.authorize_access_token()
        claims = _claims(client, token)
    except Exception as exc:  # any provider, network or token failure ends the same way
        log.warning("single sign-on failed", extra={"error": type(exc).__name__})
        flash(_("Single sign-on did not succeed. Please try again."), "error")
        return redirect("/user/login"), 303
    svc = services()
    try:
        user = svc.registration.user_for_sso(
            str(claims.get("email") or ""),
            claims.get("email_verified") is True,
            str(claims.get("name") or ""),
        )
    except Unauthenticated as exc:
        svc.audit.record(
            None, "signin.sso_refused", "", details={"reason": exc.params.get("reason", "")}
        )
        message = {
            "email_unverified": _(
                "Your identity provider has not verified your e-mail address, so it cannot be "
                "used to sign in here. Verify it with the provider, or ask an administrator."
            ),
            "email_missing": _("Your identity provider did not share your e-mail address."),
        }.get(str(exc.params.get("reason")), _("This account is deactivated."))
        return render_template("auth/login.html", next="", sso_error=message), 403
    sign_in(user)
    svc.audit.record(user.id, "signin.sso", f"user:{user.id}")
    return redirect(safe_next(session.pop(_NEXT, None)))
