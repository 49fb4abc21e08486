"""Serve a blob from a store that has no file on disk (an S3 bucket).

The local store's files go out through ``send_file``. A bucket's blobs are streamed from
``store.open()`` in 1 MiB chunks with the same headers: ``ETag``, ``Last-Modified``,
``If-None-Match``/``If-Modified-Since`` → 304 (answered without reading the store) and a
single ``Range`` → 206 (a ranged read from the store). With
``OPENDATA_S3_PRESIGNED_DOWNLOADS`` set, the answer is instead a redirect to a signed URL of
the bucket that lives that many seconds.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
import unicodedata
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol, runtime_checkable
from urllib.parse import quote

from flask import Response, after_this_request, redirect, request
from werkzeug.exceptions import RequestedRangeNotSatisfiable
from werkzeug.http import is_resource_modified
from werkzeug.wrappers import Response as BaseResponse
from werkzeug.wsgi import FileWrapper

from app.context import services
from datasets.errors import BlobNotFound
from datasets.storage import BlobStore
from publishers import NotFound

CHUNK = 1024 * 1024
MAX_AGE = 300


@runtime_checkable
class SignsUrls(Protocol):
    """A store that can hand out a short-lived download URL of a blob."""

    def presigned_url(self, key: str, expires: int, filename: str, media_type: str) -> str: ...


def blob_response(
    store: BlobStore,
    key: str,
    *,
    filename: str,
    media_type: str,
    last_modified: datetime,
    size: int | None = None,
) -> BaseResponse:
    """Answer a download of blob ``key`` (its SHA-256, also the ETag) as an attachment."""
    seconds = services().settings.s3_presigned_downloads
    if seconds and isinstance(store, SignsUrls):
        moved = redirect(store.presigned_url(key, seconds, filename, media_type), 302)
        moved.headers["Cache-Control"] = "no-store"  # the URL expires; never cache it
        return moved
    if not is_resource_modified(request.environ, etag=key, last_modified=last_modified):
        unchanged = Response(status=304)
        _describe(unchanged, key, filename, last_modified)
        return unchanged
    try:
        stream = store.open(key)
        length = store.size(key) if size is None else size
    except BlobNotFound:
        raise NotFound("file missing") from None
    response = Response(FileWrapper(stream, CHUNK), mimetype=media_type, direct_passthrough=True)
    response.content_length = length
    _describe(response, key, filename, last_modified)
    try:
        return response.make_conditional(
            request.environ, accept_ranges=True, complete_length=length
        )
    except RequestedRangeNotSatisfiable:
        stream.close()
        raise


def _describe(response: BaseResponse, key: str, filename: str, last_modified: datetime) -> None:
    response.set_etag(key)
    response.last_modified = last_modified
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE
    response.expires = datetime.fromtimestamp(time.time() + MAX_AGE, tz=UTC)
    response.headers["X-Content-SHA256"] = key
    response.headers["X-Content-Type-Options"] = "nosniff"
    try:
        filename.encode("ascii")
        names = {"filename": filename}
    except UnicodeEncodeError:
        simple = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
        quoted = quote(filename, safe="!#$&+-.^_`|~")
        names = {"filename": simple, "filename*": f"UTF-8''{quoted}"}
    response.headers.set("Content-Disposition", "attachment", **names)


def blob_file(store: BlobStore, key: str) -> Path:
    """A filesystem path of the blob for this request: the store's own file, or a scratch
    copy (streamed from the store) that is removed when the request's response is made."""
    path = store.local_path(key)
    if path is not None:
        return path
    scratch = services().vault.scratch_dir
    fd, tmp = tempfile.mkstemp(dir=scratch, prefix="blob-")
    copy = Path(tmp)
    try:
        with os.fdopen(fd, "wb") as out, store.open(key) as src:
            shutil.copyfileobj(src, out, CHUNK)
    except BlobNotFound:
        copy.unlink(missing_ok=True)
        raise NotFound("file missing") from None
    except BaseException:
        copy.unlink(missing_ok=True)
        raise

    @after_this_request
    def _remove(response: Response) -> Response:
        copy.unlink(missing_ok=True)
        return response

    return copy
