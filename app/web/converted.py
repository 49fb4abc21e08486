"""Converted downloads of a tabular resource: ``data.csv`` → ``data.xlsx|.parquet|.json``.

Each conversion is built once from the published CSV and cached in the data dir, keyed
by the source's SHA-256 (content-addressed, so a new version gets new files); it is then
served like the original, with Range, ETag and Last-Modified. Text cells that look like
formulas are escaped in XLSX (SPEC §4); the published file itself is never altered.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from pathlib import Path

from flask import Response, send_file

from app.context import services
from app.web.blob_response import blob_file
from datasets.conversions import MEDIA_TYPES, convert_csv
from datasets.public import PublicDataset, PublicResource

CONVERTED_FORMATS = ("xlsx", "parquet", "json")


def conversion_format(resource: PublicResource, filename: str) -> str | None:
    """Return the format ``filename`` asks for when it is a conversion of ``resource``."""
    stem, _, ext = filename.rpartition(".")
    if not resource.is_tabular or ext not in CONVERTED_FORMATS:
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
                    convert_csv(source, resource.table_schema, fmt, out)
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
    return target


def converted_response(view: PublicDataset, resource: PublicResource, fmt: str) -> Response:
    """Serve the conversion like the original: Range, ETag, Last-Modified."""
    path = converted_file(resource, fmt)
    download_name = f"{Path(resource.filename).stem}.{fmt}"
    response = send_file(
        path,
        mimetype=MEDIA_TYPES[fmt].split(";")[0],
        as_attachment=True,
        download_name=download_name,
        etag=f"{resource.sha256}-{fmt}",
        conditional=True,
        last_modified=resource.modified,
        max_age=300,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
