"""Serving a reader's projection of a dataset's files (issue 18).

``services.readers.view`` decides what the caller may read. Public data is served as the
published file (cached, with ETag); anything else is private to the reader: the public file
of a ``registered`` dataset, or the agency file decrypted from the vault, narrowed to the
columns of the reader's grant. Private responses are never cached by the browser or a
proxy, and every one of them is logged (``Readers.record``) before a byte is sent.

Without access the answer is 403 for everyone, signed in or not: the dataset's metadata is
public, so hiding it behind a 404 would hide nothing. The page says how to get access and
never holds the data.
"""

from __future__ import annotations

import contextlib
import csv
import io
import itertools
import os
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import IO

from flask import Response, render_template, send_file, stream_with_context
from flask.typing import ResponseReturnValue

from app.context import current_actor, services
from datasets.audience import ReaderView
from datasets.conversions import MEDIA_TYPES, convert_csv
from datasets.errors import BlobNotFound
from datasets.public import PublicDataset, PublicResource
from publishers import NotFound

CHUNK_ROWS = 500  # rows per chunk of a narrowed CSV stream


def reader_view(record: PublicDataset) -> ReaderView:
    """The record as the current caller may read it."""
    return services().readers.view(current_actor(), record)


def no_access(view: ReaderView) -> ResponseReturnValue:
    """The 403 page of a dataset whose data the caller may not read (how to get access)."""
    return render_template("sharing/no_access.html", dataset=view.dataset), 403


def is_private(view: ReaderView, resource: PublicResource) -> bool:
    """True when the file is not the public one anyone may download."""
    return view.access.logged or resource.agency_key is not None or resource.columns is not None


def log_download(view: ReaderView, resource: PublicResource) -> None:
    """Record the read of a non-public file in the access log (nothing for public data)."""
    services().readers.record(
        current_actor(),
        view,
        surface="download",
        resource_id=resource.id,
        rows=resource.row_count,
    )


def _open_source(resource: PublicResource) -> IO[bytes]:
    """Open the file the reader's projection holds: the agency file (decrypted; the clear
    copy is unlinked at once, the open handle keeps it readable) or the public file."""
    svc = services()
    if resource.agency_key:
        with svc.vault.decrypted(resource.agency_key, ".csv") as path:
            return open(path, "rb")  # closed by the response
    if resource.sha256 is None:
        raise NotFound("file missing")
    try:  # the folder's file or the bucket's stream, closed by the response
        return svc.public_store.open(resource.sha256)
    except BlobNotFound:
        raise NotFound("file missing") from None


def _csv_rows(
    source: IO[bytes], columns: tuple[str, ...] | None
) -> Generator[list[str], None, None]:
    """The header then each row of the CSV, keeping only ``columns`` (all when None)."""
    with source, io.TextIOWrapper(source, encoding="utf-8", newline="") as text:
        rows = csv.reader(text)
        header = next(rows, [])
        allowed = set(header if columns is None else columns)
        keep = [i for i, name in enumerate(header) if name in allowed]
        yield [header[i] for i in keep]
        for row in rows:
            yield [row[i] if i < len(row) else "" for i in keep]


def _narrowed_rows(source: IO[bytes], columns: tuple[str, ...]) -> Iterator[str]:
    """Stream the CSV keeping only ``columns`` (in the file's order), a chunk at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for n, row in enumerate(_csv_rows(source, columns)):
        writer.writerow(row)
        if n % CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def private_preview(
    view: ReaderView, resource: PublicResource, limit: int
) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """The header and first rows of the reader's projection of a table, for a page; the
    read is logged (surface ``page``) with the number of rows shown."""
    rows = _csv_rows(_open_source(resource), resource.columns)
    try:
        header = tuple(next(rows, []))
        body = tuple(tuple(row) for row in itertools.islice(rows, limit))
    finally:
        rows.close()
    services().readers.record(
        current_actor(), view, surface="page", resource_id=resource.id, rows=len(body)
    )
    return header, body


def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def private_file_response(resource: PublicResource) -> Response:
    """Serve the reader's projection of the file itself, narrowed to the grant's columns."""
    source = _open_source(resource)
    if resource.columns is not None and resource.is_tabular:
        response = Response(
            stream_with_context(_narrowed_rows(source, resource.columns)),
            mimetype="text/csv",
        )
        response.headers["Content-Disposition"] = f'attachment; filename="{resource.filename}"'
        return _private(response)
    return _private(
        send_file(
            source,
            mimetype=resource.media_type or "application/octet-stream",
            as_attachment=True,
            download_name=resource.filename,
            conditional=False,
        )
    )


def private_conversion_response(resource: PublicResource, fmt: str) -> Response:
    """Convert the reader's projection in a scratch file and serve it (never cached)."""
    assert resource.table_schema is not None
    vault = services().vault
    csv_path = vault.scratch_file(".csv")
    out_path = vault.scratch_file(f".{fmt}")
    try:
        source = _open_source(resource)
        with open(csv_path, "w", encoding="utf-8", newline="") as clear:
            if resource.columns is not None:
                for chunk in _narrowed_rows(source, resource.columns):
                    clear.write(chunk)
            else:
                with source, io.TextIOWrapper(source, encoding="utf-8", newline="") as text:
                    for line in text:
                        clear.write(line)
        with open(out_path, "wb") as out:
            convert_csv(csv_path, resource.table_schema, fmt, out)
        handle = open(out_path, "rb")  # noqa: SIM115 -- closed by the response
    finally:
        _remove(csv_path)
        _remove(out_path)  # the open handle keeps the bytes until the response closes it
    return _private(
        send_file(
            handle,
            mimetype=MEDIA_TYPES[fmt].split(";")[0],
            as_attachment=True,
            download_name=f"{Path(resource.filename).stem}.{fmt}",
            conditional=False,
        )
    )


def _remove(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
