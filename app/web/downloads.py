"""Downloads of published files, byte for byte, with Range, ETag and Last-Modified.

A dataset at any level but ``public`` is served through the caller's projection
(``app.web.reading``): no access → 403 with how to get access; otherwise the reader's file,
private and logged. A public file is readable cross-origin (CORS, ``OPENDATA_CORS_ORIGINS``);
a text one (CSV, JSON, ...) stored on local disk is sent gzip-compressed to a client that
accepts it and asks for no byte range (a bucket's blobs stream as stored).
"""

from __future__ import annotations

from flask import Blueprint, redirect, send_file, url_for
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response as BaseResponse

from app.context import services
from app.cors_gzip import add_cors, gzip_file, wants_gzipped_file
from app.web.blob_response import blob_response
from app.web.converted import conversion_format, converted_response
from app.web.reading import (
    is_private,
    log_download,
    no_access,
    private_conversion_response,
    private_file_response,
    reader_view,
)
from datasets.usage import Metric, Subject
from publishers import NotFound

bp = Blueprint("downloads", __name__)


@bp.get("/dataset/<slug:name>/resource/<slug:resource_id>/download/<path:filename>")
def download(name: str, resource_id: str, filename: str) -> ResponseReturnValue:
    svc = services()
    record = svc.catalog.get(name)
    if record is None:
        raise NotFound("resource not found")
    reader = reader_view(record)
    if not reader.access.reads_data:
        return no_access(reader)
    view = reader.dataset
    resource = next((r for r in view.resources if r.id == resource_id), None)
    if resource is None:
        raise NotFound("resource not found")
    if resource.url:
        return redirect(resource.url)
    fmt = conversion_format(resource, filename) if filename != resource.filename else None
    private = is_private(reader, resource)
    if fmt is not None:
        if private:
            log_download(reader, resource)
            return counted(view.id, private_conversion_response(resource, fmt))
        return counted(view.id, converted_response(view, resource, fmt))
    if filename != resource.filename:
        return redirect(
            url_for(
                "downloads.download",
                name=view.name,
                resource_id=resource_id,
                filename=resource.filename,
            ),
            301,
        )
    if private:
        log_download(reader, resource)
        return counted(view.id, private_file_response(resource))
    assert resource.sha256 is not None
    path = svc.public_store.local_path(resource.sha256)
    if path is None:  # no file on disk (a bucket, or a missing file): stream from the store
        response = blob_response(
            svc.public_store,
            resource.sha256,
            filename=resource.filename,
            media_type=resource.media_type or "application/octet-stream",
            last_modified=resource.modified,
            size=resource.size,
        )
        add_cors(response, expose="ETag, Content-Length, X-Content-SHA256")
        return counted(view.id, response)
    response = send_file(
        path,
        mimetype=resource.media_type or "application/octet-stream",
        as_attachment=True,
        download_name=resource.filename,
        etag=resource.sha256,
        conditional=True,
        last_modified=resource.modified,
        max_age=300,
    )
    response.headers["X-Content-SHA256"] = resource.sha256
    response.headers["X-Content-Type-Options"] = "nosniff"
    add_cors(response, expose="ETag, Content-Length, X-Content-SHA256")
    if wants_gzipped_file(resource.media_type or "", resource.size):
        return counted(view.id, gzip_file(response, path))
    return counted(view.id, response)


def counted(dataset_id: str, response: BaseResponse) -> BaseResponse:
    """Count a download once its file is being sent (whole or a range), then return it.

    A request that failed (the file or its conversion could not be had) raised before
    this, and a "not modified" answer sends nothing: neither counts ("most downloaded"
    ranks what people received).
    """
    if response.status_code in (200, 206):
        count_download(dataset_id)
    return response


def count_download(dataset_id: str) -> None:
    """Count a download: the dataset's total and today's usage counter."""
    services().catalog.record_download(dataset_id)
    services().usage.record(Subject.DATASET, dataset_id, Metric.DOWNLOADS)
