"""Detect an upload's format and encoding; normalize tables to UTF-8 CSV in NFC (SPEC §3).

Detection reads a bounded prefix (``SNIFF_BYTES``) and trusts the content, not the file name.
Normalization streams CSV/TSV (incremental decoding, memory flat in file size) and reads XLSX
(openpyxl read-only, cached formula values, bomb guards), JSON records and GeoJSON features.
Errors carry a code and parameters only; the web layer words them.
"""

from __future__ import annotations

import codecs
import csv
import itertools
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from datasets.ingest_errors import (
    BadCsv,
    EmptyFile,
    IngestError,
    NotTabular,
    UndecodableText,
    UnknownSheet,
    XlsxBomb,
)
from datasets.ingest_readers import read_geojson, read_json, read_xlsx, xlsx_sheet_names

__all__ = [
    "DetectedFormat",
    "IngestError",
    "NormalizedTable",
    "detect_format",
    "normalize_to_csv",
]

SNIFF_BYTES = 64 * 1024
CHUNK_BYTES = 1024 * 1024

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
_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")
_VOWELS = frozenset("aăâeêioôơuưyAĂÂEÊIOÔƠUƯY")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r(?!$)|\n)")


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
    encoding, confidence = _detect_encoding(prefix)
    if encoding is None:
        return DetectedFormat("BIN", _MEDIA_TYPES["BIN"], False)
    text = _decode_prefix(prefix, encoding)
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped[:1] in ("{", "["):
        kind = "GEOJSON" if re.search(r'"type"\s*:\s*"Feature(Collection)?"', text) else "JSON"
        return DetectedFormat(kind, _MEDIA_TYPES[kind], True, encoding, confidence)
    delimiter = _sniff_delimiter(text, filename)
    if delimiter is None:
        return DetectedFormat("TXT", _MEDIA_TYPES["TXT"], False, encoding, confidence)
    kind = "TSV" if delimiter == "\t" else "CSV"
    return DetectedFormat(kind, _MEDIA_TYPES[kind], True, encoding, confidence, delimiter)


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


def _detect_encoding(prefix: bytes) -> tuple[str | None, float]:
    """Return (Python codec name, confidence) or (None, 0) for binary content."""
    if prefix.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", 1.0
    if prefix.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", 1.0
    sample = prefix[:4096]
    zeros_even = sample[0::2].count(0)
    zeros_odd = sample[1::2].count(0)
    half = max(1, len(sample) // 2)
    if zeros_odd > 0.3 * half and zeros_even < 0.05 * half:
        return "utf-16-le", 0.9
    if zeros_even > 0.3 * half and zeros_odd < 0.05 * half:
        return "utf-16-be", 0.9
    if b"\x00" in sample:
        return None, 0.0
    try:
        codecs.getincrementaldecoder("utf-8")().decode(prefix, final=False)
    except UnicodeDecodeError:
        return _detect_windows_codepage(prefix)
    return "utf-8", 1.0 if prefix.isascii() else 0.99


def _detect_windows_codepage(prefix: bytes) -> tuple[str | None, float]:
    """Tell Windows-1258 (Vietnamese) from Windows-1252 (Western) by what the text becomes."""
    try:
        vietnamese = prefix.decode("cp1258")
    except UnicodeDecodeError:
        vietnamese = ""
    try:
        prefix.decode("cp1252")
        western_ok = True
    except UnicodeDecodeError:
        western_ok = False
    if vietnamese:
        composed = sum(
            1
            for before, mark in itertools.pairwise(vietnamese)
            if mark in _TONE_MARKS and before in _VOWELS
        )
        stray = sum(1 for char in vietnamese if char in _TONE_MARKS) - composed
        # Vietnamese text carries tone marks on vowels; Western text decoded as 1258 gives
        # marks after consonants or none at all (Portuguese "ã", "õ" become "ă", "ơ").
        if composed and stray * 4 <= composed:
            return "cp1258", 0.8
        if not western_ok:
            return "cp1258", 0.5
    if western_ok:
        return "cp1252", 0.8
    return None, 0.0


def _decode_prefix(prefix: bytes, encoding: str) -> str:
    return codecs.getincrementaldecoder(encoding)(errors="replace").decode(prefix, final=False)


def _sniff_delimiter(text: str, filename: str) -> str | None:
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    if not lines:
        return "\t" if filename.lower().endswith(".tsv") else ","
    sample = "\n".join(lines[:-1] if len(lines) > 1 else lines)
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
        header, count = _write_rows(read_xlsx(path, chosen), out_path)
        return NormalizedTable(out_path, None, header, count, chosen)
    text_encoding = encoding or detected.encoding or "utf-8"
    try:
        codecs.lookup(text_encoding)
    except LookupError as exc:
        raise UndecodableText("undecodable", {"encoding": text_encoding, "offset": 0}) from exc
    if detected.format in ("JSON", "GEOJSON"):
        reader = read_geojson if detected.format == "GEOJSON" else read_json
        header, count = _write_rows(reader(path, text_encoding), out_path)
        return NormalizedTable(out_path, text_encoding, header, count)
    delimiter = detected.delimiter or ("\t" if detected.format == "TSV" else ",")
    lines = _decoded_lines(path, text_encoding)
    try:
        header, count = _write_rows(csv.reader(lines, delimiter=delimiter), out_path)
    except csv.Error as exc:
        raise BadCsv("bad-csv", {"reason": str(exc)}) from exc
    return NormalizedTable(out_path, text_encoding, header, count)


def _decoded_lines(path: Path, encoding: str) -> Iterator[str]:
    """Yield the file's lines (ends kept), decoding incrementally; offsets are in bytes."""
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
            end = 0
            for match in _LINE.finditer(pending):
                yield match.group()
                end = match.end()
            pending = pending[end:]
            if not chunk:
                break
    if pending:
        yield pending


def _nfc(cell: str) -> str:
    return cell if unicodedata.is_normalized("NFC", cell) else unicodedata.normalize("NFC", cell)


def _write_rows(rows: Iterable[list[str]], out_path: Path) -> tuple[tuple[str, ...], int]:
    """Write ``rows`` (first = header) as NFC UTF-8 CSV; return (header, data row count)."""
    iterator = iter(rows)
    first = next(iterator, None)
    if first is None:
        raise EmptyFile("empty-file", {})
    header = tuple(
        _nfc(cell).lstrip("\ufeff") if i == 0 else _nfc(cell) for i, cell in enumerate(first)
    )
    count = 0
    with out_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for row in iterator:
            writer.writerow([_nfc(cell) for cell in row])
            count += 1
    return header, count


__all__ += ["BadCsv", "EmptyFile", "NotTabular", "UndecodableText", "UnknownSheet", "XlsxBomb"]
