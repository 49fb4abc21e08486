"""Limits of one uploaded table; the README lists them with the reason the publisher sees."""

from __future__ import annotations

__all__ = ["MAX_COLUMNS", "MAX_JSON_BYTES", "MAX_RECORD_BYTES", "MAX_ROW_CHARS"]

# Characters of one row of a CSV/TSV (quoted line breaks included): row-too-long.
MAX_ROW_CHARS = 1024 * 1024
# Cells of one row, any format (the column limit of spreadsheets): too-many-columns.
MAX_COLUMNS = 16_384
# Size of a JSON or GeoJSON file; it is streamed, so this bounds time, not memory.
MAX_JSON_BYTES = 512 * 1024 * 1024
# Bytes of one JSON record or GeoJSON feature (memory holds one record at a time).
MAX_RECORD_BYTES = 32 * 1024 * 1024
