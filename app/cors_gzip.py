"""CORS and gzip for read-only responses, shared by the REST API, the CKAN API and downloads.

CORS: ``OPENDATA_CORS_ORIGINS`` ("*" or a comma-separated list) may read GET responses
from a browser; a preflight (OPTIONS) allows GET and HEAD only, never a write.
Gzip: a whole 200 response of at least ``GZIP_MIN_BYTES`` is compressed when the client
accepts it; a file download is compressed as a stream (``gzip_file``) so memory stays
bounded, and only when it is a text format and no byte range was asked for.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from pathlib import Path

from flask import Response, request
from werkzeug.wrappers import Response as BaseResponse

from app.context import services

GZIP_MIN_BYTES = 1024
_CHUNK = 64 * 1024
# Text formats worth compressing; archives, images and spreadsheets are compressed already.
COMPRESSIBLE = frozenset(
    {
        "text/csv",
        "text/plain",
        "text/tab-separated-values",
        "application/json",
        "application/geo+json",
        "application/ld+json",
        "application/xml",
        "text/xml",
        "text/turtle",
    }
)


def add_cors(
    response: BaseResponse,
    *,
    expose: str = "ETag, Retry-After, Link",
    allow_headers: str = "Authorization, If-None-Match",
) -> None:
    """Add CORS headers for the configured origins (preflight: GET and HEAD only)."""
    allowed = allowed_origin(services().settings.cors_origins, request.headers.get("Origin", ""))
    if allowed is None:
        return
    response.headers["Access-Control-Allow-Origin"] = allowed
    if allowed != "*":
        response.vary.add("Origin")
    response.headers["Access-Control-Expose-Headers"] = expose
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD"
        response.headers["Access-Control-Allow-Headers"] = allow_headers
        response.headers["Access-Control-Max-Age"] = "3600"


def allowed_origin(origins: str, origin: str) -> str | None:
    """``Access-Control-Allow-Origin`` for a request from ``origin`` (None: no CORS), given
    ``OPENDATA_CORS_ORIGINS``; any value but ``*`` varies with the request's ``Origin``."""
    allowed = [o.strip() for o in origins.split(",") if o.strip()]
    if "*" in allowed:
        return "*"
    return origin if origin in allowed else None


def gzip_bytes(body: bytes) -> bytes:
    """``body`` compressed as ``gzip_body`` compresses a response."""
    return gzip.compress(body, compresslevel=5)


def accepts_gzip() -> bool:
    """Whether the client sent ``Accept-Encoding: gzip``."""
    return "gzip" in request.headers.get("Accept-Encoding", "").lower()


def gzip_body(response: Response) -> None:
    """Compress a whole (not streamed) 200 response when the client accepts gzip."""
    if (
        response.is_streamed
        or response.direct_passthrough
        or response.status_code != 200
        or "Content-Encoding" in response.headers
        or not accepts_gzip()
    ):
        return
    body = response.get_data()
    if len(body) < GZIP_MIN_BYTES:
        return
    response.set_data(gzip_bytes(body))
    response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    etag, weak = response.get_etag()
    if etag and not weak:
        response.set_etag(etag, weak=True)  # the compressed bytes differ from the plain ones


def _gzip_chunks(path: Path) -> Iterator[bytes]:
    packer = zlib.compressobj(5, zlib.DEFLATED, 16 + zlib.MAX_WBITS)  # gzip framing
    with path.open("rb") as source:
        while chunk := source.read(_CHUNK):
            packed = packer.compress(chunk)
            if packed:
                yield packed
    yield packer.flush()


def wants_gzipped_file(media_type: str, size: int | None) -> bool:
    """Whether a file download should be sent gzip-compressed."""
    return (
        accepts_gzip()
        and "Range" not in request.headers
        and media_type.split(";")[0].strip().lower() in COMPRESSIBLE
        and (size or 0) >= GZIP_MIN_BYTES
    )


def gzip_file(response: Response, path: Path) -> Response:
    """Turn a 200 ``send_file`` response into a gzip stream of ``path`` (other statuses,
    such as 304, pass unchanged). The strong ETag becomes weak; the length is unknown."""
    if response.status_code != 200:
        return response
    response.close()  # the plain file handle send_file opened
    response.direct_passthrough = False
    response.response = _gzip_chunks(path)
    response.headers.pop("Content-Length", None)
    response.headers.pop("Accept-Ranges", None)
    response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    etag, weak = response.get_etag()
    if etag and not weak:
        response.set_etag(etag, weak=True)
    return response
