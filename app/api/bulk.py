"""``/api/v1/bulk``: the bulk archives of the public data and their files (issue 23)."""

from __future__ import annotations

from typing import Any

from flask import jsonify, url_for
from flask.typing import ResponseReturnValue

from app.api import bp
from app.api.responses import caller
from app.context import services
from app.web.blob_response import blob_response
from datasets.bulk_archives import ARCHIVE_MEDIA_TYPE, ArchiveInfo


def archive_json(info: ArchiveInfo) -> dict[str, Any]:
    """One archive as the API and the page list it."""
    return {
        "filename": info.filename,
        "url": url_for("api.bulk_file", filename=info.filename, _external=True),
        "size": info.size,
        "sha256": info.sha256,
        "created": info.created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "datasets": info.datasets,
        "tables": info.tables,
    }


@bp.get("/bulk")
def bulk_list() -> ResponseReturnValue:
    caller()
    items = [archive_json(i) for i in services().bulk.listed()]
    return jsonify({"items": items, "total": len(items), "next": None})


@bp.get("/bulk/<filename>")
def bulk_file(filename: str) -> ResponseReturnValue:
    caller()
    svc = services()
    info = svc.bulk.get(filename)
    response = blob_response(
        svc.public_store,
        info.sha256,
        filename=info.filename,
        media_type=ARCHIVE_MEDIA_TYPE,
        last_modified=info.created,
        size=info.size,
    )
    response.headers["X-Content-SHA256"] = info.sha256
    return response
