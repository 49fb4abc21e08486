"""Following datasets (issue 21): follow and unfollow from a dataset's page, the list of
what one follows, and the unsubscribe link of the followers' mails (no sign-in needed)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from app.context import current_actor, services

bp = Blueprint("follows", __name__)


@bp.post("/dataset/<slug:name>/follow")
@login_required
def follow(name: str) -> ResponseReturnValue:
    services().follows.follow(current_actor(), name)
    flash(_("You follow this dataset: you get an e-mail when it changes."), "success")
    return redirect(url_for("public.dataset", name=name))


@bp.post("/dataset/<slug:name>/unfollow")
@login_required
def unfollow(name: str) -> ResponseReturnValue:
    services().follows.unfollow(current_actor(), name)
    flash(_("You no longer follow this dataset."), "success")
    return redirect(url_for("public.dataset", name=name))


@bp.get("/user/following")
@login_required
def following() -> ResponseReturnValue:
    items = services().follows.following(current_actor())
    return render_template("account/following.html", items=items), {"Cache-Control": "no-store"}


@bp.get("/user/following/stop/<token>")
def stop_confirm(token: str) -> ResponseReturnValue:
    """The unsubscribe link: a page with one button, so a mail scanner's visit changes nothing."""
    target = services().follows.unsubscribe_target(token)
    return render_template("account/unfollow.html", token=token, target=target, done=False)


@bp.post("/user/following/stop/<token>")
def stop(token: str) -> ResponseReturnValue:
    target = services().follows.unsubscribe(token)
    return render_template("account/unfollow.html", token=token, target=target, done=True)
