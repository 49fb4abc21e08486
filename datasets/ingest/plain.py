"""Normalization of a plain CSV file by bytes (issue 24): no CSV reader, no CSV writer.

A UTF-8 CSV with commas and without any double quote, carriage return or NUL has one row per
line and one cell per comma-separated piece; ``csv.writer`` would write each row back exactly
as the line it was read from. Such a file is normalized by copying its lines (NFC applied
to whole chunks of lines: a comma and a line end compose with nothing, so the chunk is NFC
exactly when every cell is), while NumPy counts the cells of every line for what
``NormalizedTable`` says of the rows. Anything else, or any doubt (a line too long for the
CSV reader's field limit, a decoding error, too many columns), returns None: the caller then
normalizes with the CSV reader, which raises the exact error.
"""

from __future__ import annotations

import codecs
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from datasets.ingest.limits import MAX_COLUMNS

__all__ = ["PlainCopy", "copy_plain_csv"]

CHUNK_BYTES = 8 * 1024 * 1024
# The csv module's default field size limit: a longer line might hold a field the reader
# refuses (``bad-csv``), so such a file goes the CSV reader's way.
_LONGEST_LINE = 131_072
_SPECIAL = (b'"', b"\r", b"\x00")
_NEWLINE, _COMMA = 10, 44


@dataclass
class PlainCopy:
    """What ``copy_plain_csv`` wrote: as ``normalize._Written`` counts it."""

    header: tuple[str, ...]
    count: int = 0
    extra_row: int | None = None
    extra_cells: int = 0
    lines_are_rows: bool = True


def copy_plain_csv(path: Path, encoding: str, delimiter: str, out_path: Path) -> PlainCopy | None:
    """Write the plain CSV ``path`` to ``out_path`` as ``normalize_to_csv`` would; or None.

    None (``out_path`` then holds anything) when the file is not a plain UTF-8 comma CSV
    as described above, or when the CSV reader would have to decide (an error to report).
    """
    if delimiter != "," or codecs.lookup(encoding).name not in ("utf-8", "utf-8-sig"):
        return None
    counter: _Counter | None = None
    with path.open("rb") as source, out_path.open("wb") as target:
        pending = source.read(len(codecs.BOM_UTF8))
        if pending == codecs.BOM_UTF8:
            pending = b""
        while True:
            chunk = source.read(CHUNK_BYTES)
            data = pending + chunk
            end = data.rfind(b"\n") + 1 if chunk else len(data)
            if chunk and not end:  # no line end yet
                if len(data) > _LONGEST_LINE:
                    return None
                pending = data
                continue
            lines, pending = data[:end], data[end:]
            if lines and not lines.endswith(b"\n"):
                lines += b"\n"  # the last line: csv.writer ends every row
            checked = _checked(lines)
            if checked is None:
                return None
            text, encoded = checked
            if counter is None:
                counter = _Counter.start(text)
                if counter is None:
                    return None
            if not counter.count(encoded):
                return None
            target.write(encoded)
            if not chunk:
                break
    return counter.result if counter is not None else None


def _checked(lines: bytes) -> tuple[str, bytes] | None:
    """The lines decoded and in NFC, as text and UTF-8; None when they are not plain."""
    if any(special in lines for special in _SPECIAL):
        return None
    try:
        text = lines.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if lines.isascii() or unicodedata.is_normalized("NFC", text):
        return text, lines
    text = unicodedata.normalize("NFC", text)
    return text, text.encode("utf-8")


class _Counter:
    """Counts the rows and their cells, chunk by chunk, from the header on."""

    def __init__(self, header: tuple[str, ...]) -> None:
        self.result = PlainCopy(header)
        self.width = len(header)
        self.skip_header = True

    @classmethod
    def start(cls, text: str) -> _Counter | None:
        line = text[: text.find("\n")]
        # An empty first line, or a second byte-order mark (the header's strip removes it).
        if not line or line.startswith("\ufeff"):
            return None
        header = tuple(line.split(","))
        if len(header) > MAX_COLUMNS:
            return None
        return cls(header)

    def count(self, encoded: bytes) -> bool:
        """Count the lines of ``encoded`` (whole lines); False when the reader must decide."""
        import numpy as np  # here: the web processes import ingest but never count rows

        data = np.frombuffer(encoded, dtype=np.uint8)
        ends = np.flatnonzero(data == _NEWLINE)
        if not len(ends):
            return True
        starts = np.empty_like(ends)
        starts[0] = 0
        starts[1:] = ends[:-1] + 1
        if int((ends - starts).max()) >= _LONGEST_LINE:
            return False
        commas = np.flatnonzero(data == _COMMA)
        cells = np.searchsorted(commas, ends) - np.searchsorted(commas, starts) + 1
        cells[ends == starts] = 0  # an empty line is a row without cells
        if self.skip_header:
            self.skip_header = False
            cells = cells[1:]
        if not len(cells):
            return True
        if int(cells.max()) > MAX_COLUMNS:
            return False
        result = self.result
        wide = np.flatnonzero(cells > self.width)
        if len(wide) and result.extra_row is None:
            result.extra_row = result.count + int(wide[0]) + 2
            result.extra_cells = int(cells[wide[0]])
        if result.lines_are_rows and bool((cells != self.width).any()):
            result.lines_are_rows = False
        result.count += len(cells)
        return True
