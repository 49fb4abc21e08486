"""Ingest of an upload: detect its format and normalize a table to UTF-8 CSV in NFC (SPEC §3).

The face of the subpackage; the modules behind it:

* ``normalize``: format and encoding detection, normalization of CSV/TSV, XLSX and JSON;
* ``readers``: the XLSX row reader (with its bomb guards) and GeoJSON geometry as WKT;
* ``json_records``: JSON records and GeoJSON features, streamed;
* ``errors``: the ingest errors, a stable code and plain parameters each;
* ``limits``: the limits of one uploaded table (listed in the README).
"""

from __future__ import annotations

from datasets.ingest.errors import (
    BadCsv,
    BadJson,
    EmptyFile,
    ExtraCells,
    IngestError,
    NotTabular,
    RowTooLong,
    TooManyCells,
    TooManyColumns,
    UndecodableText,
    UnknownSheet,
    XlsxBomb,
)
from datasets.ingest.limits import MAX_COLUMNS, MAX_JSON_BYTES, MAX_RECORD_BYTES, MAX_ROW_CHARS
from datasets.ingest.normalize import (
    DetectedFormat,
    NormalizedTable,
    detect_format,
    normalize_to_csv,
    refuse_markup_named_as_table,
)

__all__ = [
    "MAX_COLUMNS",
    "MAX_JSON_BYTES",
    "MAX_RECORD_BYTES",
    "MAX_ROW_CHARS",
    "BadCsv",
    "BadJson",
    "DetectedFormat",
    "EmptyFile",
    "ExtraCells",
    "IngestError",
    "NormalizedTable",
    "NotTabular",
    "RowTooLong",
    "TooManyCells",
    "TooManyColumns",
    "UndecodableText",
    "UnknownSheet",
    "XlsxBomb",
    "detect_format",
    "normalize_to_csv",
    "refuse_markup_named_as_table",
]
