"""Converted downloads of a tabular resource: ``data.csv`` → ``data.xlsx|.parquet|.json``
(and ``data.geojson`` for a table with coordinates: ``datasets.geo``).

Each conversion is built once from the published CSV and cached in the data dir, keyed
by the source's SHA-256 (content-addressed, so a new version gets new files); it is then
served like the original, with Range, ETag and Last-Modified.

Several servers (a bucket and ``REDIS_URL``): a conversion built by one server is put in the
public store (content-addressed by its own bytes) and Redis maps ``source SHA-256 + format``
to its key, built under a Redis lock by one server at a time. Every server then serves the
same bytes with the same ETag (the conversion's own SHA-256): a ``Range`` request answered
by another server continues the same file. XLSX files carry their build time, so two
servers' own builds would differ; if Redis forgets the map, the next build replaces it and
its new ETag keeps ranges consistent. Text cells that look like
formulas are escaped in XLSX (SPEC §4); the published file itself is never altered.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from pathlib import Path
from typing import Any, BinaryIO

import redis
from flask import send_file
from werkzeug.wrappers import Response as BaseResponse

from app.context import services
from app.web.blob_response import blob_file, blob_response
from datasets.conversions import MEDIA_TYPES, convert_csv
from datasets.geo import GEOJSON_MEDIA_TYPE, csv_to_geojson, table_coordinates
from datasets.public import PublicDataset, PublicResource

CONVERTED_FORMATS = ("xlsx", "parquet", "json", "geojson")  # geojson: tables with coordinates
_MEDIA_TYPES = {**MEDIA_TYPES, "geojson": GEOJSON_MEDIA_TYPE}
BUILD_SECONDS = 600  # the longest a conversion may take; its Redis lock expires then


def conversion_format(resource: PublicResource, filename: str) -> str | None:
    """Return the format ``filename`` asks for when it is a conversion of ``resource``."""
    stem, _, ext = filename.rpartition(".")
    if not resource.is_tabular or ext not in CONVERTED_FORMATS:
        return None
    if ext == "geojson" and table_coordinates(resource.table_schema) is None:
        return None
    return ext if stem == Path(resource.filename).stem else None


def converted_file(resource: PublicResource, fmt: str) -> Path:
    """Return the cached conversion of the resource's published CSV, building it once."""
    svc = services()
    assert resource.sha256 is not None and resource.table_schema is not None
    folder = svc.settings.data_dir / "conversions"
    target = folder / f"{resource.sha256}.{fmt}"
    if target.exists():
        return target
    source = blob_file(svc.public_store, resource.sha256)  # a scratch copy from a bucket
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"{resource.sha256}.{fmt}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one builder; the others wait and reuse its file
        if not target.exists():
            fd, tmp = tempfile.mkstemp(dir=folder, suffix=f".{fmt}.part")
            try:
                with os.fdopen(fd, "wb") as out:
                    _convert(source, resource.table_schema, fmt, out)
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
    return target


def _convert(source: Path, schema: dict[str, Any], fmt: str, out: BinaryIO) -> None:
    if fmt == "geojson":
        csv_to_geojson(source, schema, out)
    else:
        convert_csv(source, schema, fmt, out)


def _redis(url: str) -> redis.Redis:
    client = _CLIENTS.get(url)
    if client is None:
        client = _CLIENTS[url] = redis.Redis.from_url(url, socket_timeout=5)
    return client


_CLIENTS: dict[str, redis.Redis] = {}


def shared_conversion(resource: PublicResource, fmt: str) -> str:
    """The public-store key of the conversion that every server serves, building it once."""
    svc = services()
    assert resource.sha256 is not None and resource.table_schema is not None
    client = _redis(svc.settings.redis_url)
    name = f"opendata:conversion:{resource.sha256}:{fmt}"

    def known() -> str | None:
        found = client.get(name)
        key = found.decode() if isinstance(found, bytes) else None
        return key if key and svc.public_store.exists(key) else None

    key = known()
    if key is not None:
        return key
    # One builder across the servers; the others wait (up to the lock's life) and reuse it.
    with client.lock(f"{name}:build", timeout=BUILD_SECONDS, blocking_timeout=BUILD_SECONDS):
        key = known()
        if key is None:
            source = blob_file(svc.public_store, resource.sha256)
            target = svc.vault.scratch_file(f".{fmt}")
            try:
                with open(target, "wb") as out:
                    _convert(source, resource.table_schema, fmt, out)
                key = svc.public_store.put_file(target).key
            finally:
                target.unlink(missing_ok=True)
            client.set(name, key)
    return key


def converted_response(view: PublicDataset, resource: PublicResource, fmt: str) -> BaseResponse:
    """Serve the conversion like the original: Range, ETag, Last-Modified."""
    svc = services()
    if svc.settings.redis_url and svc.public_store.local_path(resource.sha256 or "") is None:
        return blob_response(
            svc.public_store,
            shared_conversion(resource, fmt),
            filename=f"{Path(resource.filename).stem}.{fmt}",
            media_type=_MEDIA_TYPES[fmt].split(";")[0],
            last_modified=resource.modified,
        )
    path = converted_file(resource, fmt)
    download_name = f"{Path(resource.filename).stem}.{fmt}"
    response = send_file(
        path,
        mimetype=_MEDIA_TYPES[fmt].split(";")[0],
        as_attachment=True,
        download_name=download_name,
        etag=f"{resource.sha256}-{fmt}",
        conditional=True,
        last_modified=resource.modified,
        max_age=300,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
