"""Detect an upload's format and encoding; normalize tables to UTF-8 CSV in NFC (SPEC §3).

Detection reads a bounded prefix (``SNIFF_BYTES``) and trusts the content, not the file name.
Normalization streams CSV/TSV (incremental decoding, memory flat in file size) and reads XLSX
(openpyxl read-only, cached formula values, bomb guards), JSON records and GeoJSON features.
Errors carry a code and parameters only; the web layer words them.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from datasets.ingest.encodings import detect_encoding
from datasets.ingest.errors import (
    BadCsv,
    EmptyFile,
    ExtraCells,
    IngestError,
    NotTabular,
    RowTooLong,
    TooManyColumns,
    UndecodableText,
    UnknownSheet,
    XlsxBomb,
)
from datasets.ingest.json_records import read_geojson, read_json
from datasets.ingest.limits import MAX_COLUMNS, MAX_ROW_CHARS
from datasets.ingest.plain import copy_plain_csv
from datasets.ingest.readers import read_xlsx, xlsx_sheet_names

__all__ = [
    "MAX_COLUMNS",
    "MAX_ROW_CHARS",
    "DetectedFormat",
    "IngestError",
    "NormalizedTable",
    "detect_format",
    "normalize_to_csv",
    "refuse_markup_named_as_table",
]

SNIFF_BYTES = 64 * 1024
CHUNK_BYTES = 1024 * 1024
SNIFF_SAMPLE_CHARS = 8 * 1024

_MEDIA_TYPES = {
    "CSV": "text/csv",
    "TSV": "text/tab-separated-values",
    "XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "JSON": "application/json",
    "GEOJSON": "application/geo+json",
    "PDF": "application/pdf",
    "ZIP": "application/zip",
    "DOCX": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "PPTX": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "XLS": "application/vnd.ms-excel",
    "PNG": "image/png",
    "JPEG": "image/jpeg",
    "GIF": "image/gif",
    "GZIP": "application/gzip",
    "PARQUET": "application/vnd.apache.parquet",
    "HTML": "text/html",
    "SVG": "image/svg+xml",
    "XML": "application/xml",
    "TXT": "text/plain",
    "BIN": "application/octet-stream",
}
_MAGIC = [
    (b"%PDF", "PDF"),
    (b"\x89PNG", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF8", "GIF"),
    (b"\x1f\x8b", "GZIP"),
    (b"\xd0\xcf\x11\xe0", "XLS"),
    (b"PAR1", "PARQUET"),
]
# A line and its end; only ever run over text that ends with a line end (see _decoded_lines).
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)")
# Markup: an XML declaration, a doctype, a comment or a start tag opens the text.
_MARKUP = re.compile(r"<(?:\?xml[\s?]|!doctype\s|!--|[a-z][\w:.-]*(?:\s[^<>]*)?/?>)", re.I)
_ROOT_TAG = re.compile(r"<([a-z][\w:.-]*)[\s/>]", re.I)


@dataclass(frozen=True)
class DetectedFormat:
    """What an upload is: format (upper case), media type and, for text tables, encoding."""

    format: str
    media_type: str
    is_tabular: bool
    encoding: str | None = None
    encoding_confidence: float = 0.0
    delimiter: str | None = None
    sheet_names: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class NormalizedTable:
    """A table written as UTF-8 CSV (NFC, comma, ``\\n``); ``row_count`` excludes the header."""

    path: Path
    encoding: str | None
    header: tuple[str, ...]
    row_count: int
    sheet: str | None = None
    # The first row with more cells than the header (1 = header), and its cell count.
    extra_row: int | None = None
    extra_cells: int = 0
    # Every line of the file is one whole row of the header's width: no row is shorter or
    # longer, no cell holds a line break or NUL (a stripped copy can then go by lines).
    lines_are_rows: bool = False

    def refuse_extra_cells(self) -> None:
        """Refuse a table with a row longer than its header (after its report is stored).

        Cells without a column name escape the personal-data decisions, so such a table is
        never published; the validation report lists the same rows as ``extra-cell``.
        """
        if self.extra_row is None:
            return
        params = {
            "row": self.extra_row,
            "cells": self.extra_cells,
            "header": len(self.header),
            "comment": bool(self.header) and self.header[0].lstrip().startswith("#"),
        }
        raise ExtraCells("extra-cells", params)


def detect_format(path: Path, filename: str) -> DetectedFormat:
    """Detect the format of ``path`` from its content (``filename`` only breaks ties).

    Reads at most ``SNIFF_BYTES`` (plus the ZIP directory for Office files).
    Raises EmptyFile for a 0-byte file and XlsxBomb for a spreadsheet that would inflate
    past the limits.
    """
    with path.open("rb") as handle:
        prefix = handle.read(SNIFF_BYTES)
    if not prefix:
        raise EmptyFile("empty-file", {})
    for magic, kind in _MAGIC:
        if prefix.startswith(magic):
            return DetectedFormat(kind, _MEDIA_TYPES[kind], False)
    if prefix.startswith(b"PK\x03\x04") or prefix.startswith(b"PK\x05\x06"):
        return _detect_zip(path)
    encoding, confidence = detect_encoding(prefix)
    if encoding is None:
        return DetectedFormat("BIN", _MEDIA_TYPES["BIN"], False)
    text = _decode_prefix(prefix, encoding)
    stripped = text.lstrip("\ufeff \t\r\n")
    if _MARKUP.match(stripped):
        kind = _markup_kind(stripped)
        return DetectedFormat(kind, _MEDIA_TYPES[kind], False, encoding, confidence)
    if stripped[:1] in ("{", "["):
        kind = "GEOJSON" if re.search(r'"type"\s*:\s*"Feature(Collection)?"', text) else "JSON"
        return DetectedFormat(kind, _MEDIA_TYPES[kind], True, encoding, confidence)
    delimiter = _sniff_delimiter(text, filename)
    if delimiter is None:
        return DetectedFormat("TXT", _MEDIA_TYPES["TXT"], False, encoding, confidence)
    kind = "TSV" if delimiter == "\t" else "CSV"
    return DetectedFormat(kind, _MEDIA_TYPES[kind], True, encoding, confidence, delimiter)


def _markup_kind(text: str) -> str:
    """HTML, SVG or XML, by the doctype or the first element (declarations skipped)."""
    if re.match(r"<!doctype\s+html", text, re.I):
        return "HTML"
    body = re.sub(r"<\?.*?\?>|<!--.*?-->|<!doctype[^>]*>", "", text, flags=re.I | re.S)
    root = _ROOT_TAG.search(body)
    name = root.group(1).lower().rsplit(":", 1)[-1] if root else ""
    if name in ("html", "head", "body"):
        return "HTML"
    return "SVG" if name == "svg" else "XML"


def refuse_markup_named_as_table(detected: DetectedFormat, filename: str) -> None:
    """Refuse an HTML, SVG or XML file whose name promises a table (``.csv``, ``.tsv``).

    Such a file is usually an error page saved under the table's name; publishing it as the
    table would mislead. Raises NotTabular (``markup-not-table``: ``format``, ``extension``).
    """
    suffix = Path(filename).suffix.lower()
    if detected.format in ("HTML", "SVG", "XML") and suffix in (".csv", ".tsv"):
        params = {"format": detected.format, "extension": suffix}
        raise NotTabular("markup-not-table", params)


def _detect_zip(path: Path) -> DetectedFormat:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        return DetectedFormat("ZIP", _MEDIA_TYPES["ZIP"], False)
    if "xl/workbook.xml" in names:
        sheets = xlsx_sheet_names(path)
        return DetectedFormat("XLSX", _MEDIA_TYPES["XLSX"], True, sheet_names=sheets)
    for marker, kind in (("word/document.xml", "DOCX"), ("ppt/presentation.xml", "PPTX")):
        if marker in names:
            return DetectedFormat(kind, _MEDIA_TYPES[kind], False)
    return DetectedFormat("ZIP", _MEDIA_TYPES["ZIP"], False)


def _decode_prefix(prefix: bytes, encoding: str) -> str:
    return codecs.getincrementaldecoder(encoding)(errors="replace").decode(prefix, final=False)


def _sniff_delimiter(text: str, filename: str) -> str | None:
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    if not lines:
        return "\t" if filename.lower().endswith(".tsv") else ","
    complete = lines[:-1] if len(lines) > 1 else lines
    # The sniffer's regular expressions are quadratic in the sample: whole lines up to
    # SNIFF_SAMPLE_CHARS (or the start of a longer first line) keep it well under a second.
    kept = list(itertools.accumulate(len(line) + 1 for line in complete))
    fitting = complete[: sum(1 for total in kept if total <= SNIFF_SAMPLE_CHARS)]
    sample = "\n".join(fitting) if fitting else complete[0][:SNIFF_SAMPLE_CHARS]
    try:
        delimiter: str = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
        return delimiter
    except csv.Error:
        pass
    counts = {d: lines[0].count(d) for d in (",", "\t", ";", "|")}
    best = max(counts, key=lambda d: counts[d])
    if counts[best]:
        return best
    return "\t" if filename.lower().endswith(".tsv") else ","


def normalize_to_csv(
    path: Path,
    detected: DetectedFormat,
    out_path: Path,
    *,
    encoding: str | None = None,
    sheet: str | None = None,
) -> NormalizedTable:
    """Write the table in ``path`` to ``out_path`` as UTF-8 CSV with every text in NFC.

    ``encoding`` overrides the detected one (the publisher's correction); ``sheet`` picks an
    XLSX sheet (default: the first). Nothing is dropped: ragged rows keep all their cells.
    Raises NotTabular, EmptyFile, UndecodableText (with the byte offset), BadCsv, XlsxBomb,
    TooManyCells, UnknownSheet or BadJson.
    """
    if not detected.is_tabular:
        raise NotTabular("not-tabular", {"format": detected.format})
    if detected.format == "XLSX":
        names = xlsx_sheet_names(path)
        chosen = sheet if sheet is not None else (names[0] if names else None)
        if chosen is None or chosen not in names:
            raise UnknownSheet("unknown-sheet", {"sheet": sheet, "sheets": list(names)})
        written = _write_rows(read_xlsx(path, chosen), out_path)
        return written.table(out_path, None, chosen)
    text_encoding = encoding or detected.encoding or "utf-8"
    try:
        codecs.lookup(text_encoding)
    except LookupError as exc:
        raise UndecodableText("undecodable", {"encoding": text_encoding, "offset": 0}) from exc
    if detected.format in ("JSON", "GEOJSON"):
        reader = read_geojson if detected.format == "GEOJSON" else read_json
        return _write_rows(reader(path, text_encoding), out_path).table(out_path, text_encoding)
    delimiter = detected.delimiter or ("\t" if detected.format == "TSV" else ",")
    plain = copy_plain_csv(path, text_encoding, delimiter, out_path)  # issue 24: by bytes
    if plain is not None:
        return NormalizedTable(
            out_path,
            text_encoding,
            plain.header,
            plain.count,
            None,
            plain.extra_row,
            plain.extra_cells,
            plain.lines_are_rows,
        )
    budget = _RowBudget(_decoded_lines(path, text_encoding))
    try:
        written = _write_rows(csv.reader(budget, delimiter=delimiter), out_path, budget.next_row)
    except csv.Error as exc:
        raise BadCsv("bad-csv", {"reason": str(exc)}) from exc
    return written.table(out_path, text_encoding)


class _RowBudget:
    """The lines of a text table, refusing a row (record) longer than ``MAX_ROW_CHARS``.

    The CSV reader pulls lines until it has a whole record; the writer calls ``next_row``
    for each record it receives, so a record's lines are counted together (a quoted cell
    may hold line breaks). Memory stays within about twice the limit.
    """

    def __init__(self, lines: Iterator[str]) -> None:
        self._lines = lines
        self._row = 1
        self._chars = 0

    def __iter__(self) -> Iterator[str]:
        for line in self._lines:
            self._chars += len(line)
            if self._chars > MAX_ROW_CHARS:
                raise RowTooLong("row-too-long", {"row": self._row, "limit": MAX_ROW_CHARS})
            yield line

    def next_row(self) -> None:
        self._row += 1
        self._chars = 0


def _decoded_lines(path: Path, encoding: str) -> Iterator[str]:
    """Yield the file's lines (ends kept), decoding incrementally; offsets are in bytes.

    Linear in the file: only text that ends with a line end is split into lines, and a
    line longer than ``MAX_ROW_CHARS`` comes out in pieces of about that size (which the
    row budget then refuses) instead of being held whole.
    """
    decoder = codecs.getincrementaldecoder(encoding)()
    consumed = 0
    pending = ""
    with path.open("rb") as handle:
        while True:
            chunk = handle.read(CHUNK_BYTES)
            buffered = len(decoder.getstate()[0])
            try:
                text = decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                offset = consumed - buffered + exc.start
                params = {"encoding": encoding, "offset": offset}
                raise UndecodableText("undecodable", params) from exc
            consumed += len(chunk)
            pending += text
            # A "\r" at the end may be the first half of "\r\n": wait for the next chunk.
            limit = len(pending) - 1 if chunk and pending.endswith("\r") else len(pending)
            cut = max(pending.rfind("\n", 0, limit), pending.rfind("\r", 0, limit)) + 1
            if cut:
                for match in _LINE.finditer(pending, 0, cut):
                    yield match.group()
                pending = pending[cut:]
            if len(pending) > MAX_ROW_CHARS:
                yield pending
                pending = ""
            if not chunk:
                break
    if pending:
        yield pending


def _nfc(cell: str) -> str:
    return cell if unicodedata.is_normalized("NFC", cell) else unicodedata.normalize("NFC", cell)


@dataclass
class _Written:
    header: tuple[str, ...]
    count: int = 0
    extra_row: int | None = None
    extra_cells: int = 0
    lines_are_rows: bool = True

    def table(self, path: Path, encoding: str | None, sheet: str | None = None) -> NormalizedTable:
        return NormalizedTable(
            path,
            encoding,
            self.header,
            self.count,
            sheet,
            self.extra_row,
            self.extra_cells,
            self.lines_are_rows,
        )


def _write_rows(
    rows: Iterable[list[str]], out_path: Path, on_row: Callable[[], None] | None = None
) -> _Written:
    """Write ``rows`` (first = header) as NFC UTF-8 CSV; return what was written.

    ``on_row`` is called after each row is received. Raises EmptyFile and TooManyColumns.
    """
    iterator = iter(rows)
    first = next(iterator, None)
    if first is None:
        raise EmptyFile("empty-file", {})
    _check_width(first, 1)
    header = tuple(
        _nfc(cell).lstrip("\ufeff") if i == 0 else _nfc(cell) for i, cell in enumerate(first)
    )
    written = _Written(header, lines_are_rows=_one_line(header))
    with out_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        if on_row is not None:
            on_row()
        width = len(header)
        for row in iterator:
            if len(row) != width:
                written.lines_are_rows = False
                if len(row) > width:
                    number = written.count + 2
                    _check_width(row, number)
                    if written.extra_row is None:
                        written.extra_row, written.extra_cells = number, len(row)
            # One look at the whole row instead of one per cell (issue 24): NUL composes with
            # nothing, so the joined row is NFC exactly when every cell is.
            joined = "\x00".join(row)
            if not unicodedata.is_normalized("NFC", joined):
                row = [_nfc(cell) for cell in row]
                joined = "\x00".join(row)
            if "\n" in joined or joined.count("\x00") != len(row) - 1:  # a break, a NUL
                written.lines_are_rows = False
            if "\r" in joined:
                written.lines_are_rows = False
                handle.write(_quoted_row(row))
            else:
                writer.writerow(row)
            written.count += 1
            if on_row is not None:
                on_row()
    return written


def _one_line(cells: Sequence[str]) -> bool:
    """True when no cell holds a line break or NUL: the row is written as one line."""
    joined = "\x00".join(cells)
    return "\n" not in joined and "\r" not in joined and joined.count("\x00") == len(cells) - 1


def _check_width(row: list[str], number: int) -> None:
    if len(row) > MAX_COLUMNS:
        params = {"row": number, "columns": len(row), "limit": MAX_COLUMNS}
        raise TooManyColumns("too-many-columns", params)


def _quoted_row(cells: list[str]) -> str:
    """One CSV line, quoting cells that hold a carriage return (the "\\n" writer does not)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(cells)
    return buffer.getvalue()[:-2] + "\n"


__all__ += [
    "BadCsv",
    "EmptyFile",
    "NotTabular",
    "RowTooLong",
    "TooManyColumns",
    "UndecodableText",
    "UnknownSheet",
    "XlsxBomb",
]
