"""Read a multipart upload as it arrives (issue 24): the file is handed on as a stream.

Flask's ``request.files`` parses the whole body first, into a temporary file (the upload's
plaintext on disk), which the upload handler then copied to staging and encrypted into the
vault: three writes of every byte before the answer. ``read_upload`` decodes the body from
``request.stream`` (Werkzeug's multipart decoder) and hands the ``file`` part to ``store``
as a reader of its bytes, so the part is encrypted as it is received; the text fields are
collected on the way (before or after the file). Where the form was parsed already (a
cookie-authenticated request whose CSRF token the guard read from the form), the parsed
file is handed to ``store`` instead: the result is the same.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import IO

from flask import request
from werkzeug.http import parse_options_header
from werkzeug.sansio.multipart import (
    NEED_DATA,
    Data,
    Epilogue,
    Event,
    Field,
    File,
    MultipartDecoder,
)

from datasets.uploads import Readable, StoredUpload
from publishers import InvalidInput

CHUNK = 256 * 1024
# Limits on the text fields (the name, description and format of a resource).
MAX_FIELD_BYTES = 64 * 1024
MAX_PARTS = 100


class _Body:
    """Pulls the decoder's events, reading the request body as they need it."""

    def __init__(self, stream: IO[bytes], boundary: bytes) -> None:
        self._stream = stream
        self._decoder = MultipartDecoder(boundary, max_parts=MAX_PARTS)

    def next_event(self) -> Event:
        while True:
            try:
                event = self._decoder.next_event()
            except ValueError as exc:  # a malformed or truncated body
                raise InvalidInput("malformed multipart body", {"file": ["invalid"]}) from exc
            if event is not NEED_DATA:
                return event
            chunk = self._stream.read(CHUNK)
            self._decoder.receive_data(chunk or None)

    def read_part(self, limit: int | None = None) -> bytes:
        """The rest of the current part (InvalidInput past ``limit`` bytes)."""
        parts, size = [], 0
        while True:
            event = self.next_event()
            assert isinstance(event, Data)
            size += len(event.data)
            if limit is not None and size > limit:
                raise InvalidInput("form field too long", {"form": ["too_long"]})
            parts.append(event.data)
            if not event.more_data:
                return b"".join(parts)


class _PartReader:
    """A binary reader of one file part's bytes (``read`` as ``encrypt_stream`` calls it)."""

    def __init__(self, body: _Body) -> None:
        self._body = body
        self._buffer = bytearray()
        self._done = False

    def read(self, amount: int = -1) -> bytes:
        while not self._done and (amount < 0 or len(self._buffer) < amount):
            event = self._body.next_event()
            assert isinstance(event, Data)
            self._buffer += event.data
            self._done = not event.more_data
        size = len(self._buffer) if amount < 0 else min(amount, len(self._buffer))
        piece = bytes(self._buffer[:size])
        del self._buffer[:size]
        return piece

    def drain(self) -> None:
        while self.read(CHUNK):
            pass


def read_upload(
    store: Callable[[Readable, str], StoredUpload],
    discard: Callable[[StoredUpload], None],
    *,
    field: str = "file",
) -> tuple[StoredUpload | None, str, dict[str, str]]:
    """Read the request's multipart form: ``store(reader, filename)`` for its ``field`` file.

    Returns what ``store`` returned (None when no file with a name was sent), the file's
    name as sent, and the text fields. A second file in ``field`` and other files are read
    and dropped. Raises ``InvalidInput`` for a malformed body, 413 past ``MAX_PARTS`` parts
    or the largest body; when the body fails after the file was stored, ``discard`` gets
    what ``store`` returned first.
    """
    if "files" in request.__dict__ or "form" in request.__dict__:  # parsed already
        sent = request.files.get(field)
        fields = dict(request.form.items())
        if sent is None or not sent.filename:
            return None, "", fields
        return store(sent.stream, sent.filename), sent.filename, fields
    _mimetype, options = parse_options_header(request.headers.get("Content-Type", ""))
    boundary = options.get("boundary", "")
    if request.mimetype != "multipart/form-data" or not boundary:
        return None, "", {}
    body = _Body(request.stream, boundary.encode("latin-1"))
    result: StoredUpload | None = None
    filename, fields = "", {}
    try:
        while not isinstance(event := body.next_event(), Epilogue):
            if isinstance(event, Field):
                raw = body.read_part(MAX_FIELD_BYTES)
                fields.setdefault(event.name, raw.decode("utf-8", "replace"))
            elif isinstance(event, File):
                reader = _PartReader(body)
                if event.name == field and event.filename and result is None:
                    result, filename = store(reader, event.filename), event.filename
                reader.drain()
    except BaseException:
        if result is not None:
            discard(result)
        raise
    return result, filename, fields
