"""The page of the bulk archives (``/bulk``, issue 23); the files are served by the API."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue

from app.context import services
from app.web.catalog import bp


@bp.get("/bulk")
def bulk_page() -> ResponseReturnValue:
    return render_template("public/bulk.html", archives=services().bulk.listed())
