"""Errors of the ingest step: a stable code and plain parameters, never prose."""

from __future__ import annotations

from typing import Any

__all__ = [
    "BadCsv",
    "BadJson",
    "EmptyFile",
    "ExtraCells",
    "IngestError",
    "NotTabular",
    "RowTooLong",
    "TooManyCells",
    "TooManyColumns",
    "UndecodableText",
    "UnknownSheet",
    "XlsxBomb",
]


class IngestError(Exception):
    """An upload that cannot be read as promised; ``code`` and ``params`` are for the web layer."""

    def __init__(self, code: str, params: dict[str, Any]) -> None:
        super().__init__(code, params)
        self.code = code
        self.params = params


class EmptyFile(IngestError):
    """The file has no bytes, or no row at all (``empty-file``)."""


class UndecodableText(IngestError):
    """The text cannot be decoded (``undecodable``: ``encoding``, byte ``offset``)."""


class NotTabular(IngestError):
    """The file is not a table (``not-tabular``: ``format``)."""


class BadCsv(IngestError):
    """The CSV cannot be parsed (``bad-csv``: ``reason``)."""


class XlsxBomb(IngestError):
    """The spreadsheet would inflate past the limits (``xlsx-bomb``: ``member``, sizes)."""


class TooManyCells(IngestError):
    """The spreadsheet has more cells than allowed (``too-many-cells``: ``limit``)."""


class UnknownSheet(IngestError):
    """The chosen sheet does not exist (``unknown-sheet``: ``sheet``, ``sheets``)."""


class BadJson(IngestError):
    """The JSON is malformed or not records (``bad-json``: ``reason``, ``line``, ``column``)."""


class RowTooLong(IngestError):
    """A row of a text table is longer than allowed (``row-too-long``: ``row``, ``limit``)."""


class TooManyColumns(IngestError):
    """A row has more cells than allowed (``too-many-columns``: ``row``, ``columns``, ``limit``)."""


class ExtraCells(IngestError):
    """A row has more cells than the header (``extra-cells``: ``row``, ``cells``, ``header``).

    Cells without a column name cannot be checked for personal data, so the table is not
    published; ``comment`` is true when the first line looks like a comment (``#...``).
    """
