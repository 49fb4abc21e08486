"""Streamed exports of tabular rows: CSV, JSON, XLSX and Parquet.

Used for the converted downloads of a tabular resource (``data.csv`` -> ``data.xlsx``,
``data.parquet``, ``data.json``) and for filtered query results. Memory stays bounded:
rows are written as they come (Parquet buffers one row group).

Formula injection (SPEC §4 Downloads): in CSV and XLSX, text cells starting with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return get a leading ``'`` so that no spreadsheet
runs them; numbers are written as numbers and are never escaped, and XLSX text cells are
typed strings (data type ``s``), never formulas. JSON and Parquet are not escaped: they
are typed machine formats that no spreadsheet evaluates as formulas on opening, and a
prefix would corrupt values for the programs that read them (``-5`` codes, ``+84``
phone prefixes). The published file itself is never altered.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from datasets.datastore import DatastoreField, LoadFailed, fields_from_table_schema, read_typed_rows

if TYPE_CHECKING:
    from openpyxl.cell.cell import WriteOnlyCell

MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "parquet": "application/vnd.apache.parquet",
}
"""Media type of each export format; the format name is also the file extension."""

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_MAX_ROWS = 1_048_576  # a worksheet's limit, header included
PARQUET_ROW_GROUP = 65_536

Row = Sequence[Any] | Mapping[str, Any]


class ConversionError(ValueError):
    """The rows cannot be written in the asked format (unknown format, too many rows...)."""


def escape_formula(text: str) -> str:
    """Prefix ``'`` to text a spreadsheet would read as a formula; leave other text alone."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _sequences(fields: Sequence[DatastoreField], rows: Iterable[Row]) -> Iterator[Sequence[Any]]:
    names = [f.name for f in fields]
    for row in rows:
        yield [row.get(n) for n in names] if isinstance(row, Mapping) else row


def _finite(value: Any) -> Any:
    return None if isinstance(value, float) and not math.isfinite(value) else value


def _csv_cell(value: Any, is_text: bool) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if is_text:
        return escape_formula(str(value))
    return "" if _finite(value) is None else value


def _write_csv(
    fields: Sequence[DatastoreField], rows: Iterable[Sequence[Any]], out: BinaryIO
) -> int:
    # A BOM, as CKAN's datastore dumps do: Excel then reads the Vietnamese text as UTF-8.
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
    try:
        writer = csv.writer(text)
        writer.writerow([escape_formula(f.name) for f in fields])
        kinds = [f.type == "text" for f in fields]
        count = 0
        for row in rows:
            writer.writerow([_csv_cell(v, t) for v, t in zip(row, kinds, strict=True)])
            count += 1
        text.flush()
    finally:
        text.detach()
    return count


def _json_default(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _write_json(
    fields: Sequence[DatastoreField], rows: Iterable[Sequence[Any]], out: BinaryIO
) -> int:
    names = [f.name for f in fields]
    out.write(b"[")
    count = 0
    for row in rows:
        record = {n: _finite(v) for n, v in zip(names, row, strict=True)}
        out.write((b",\n" if count else b"\n") + _dumps(record))
        count += 1
    out.write(b"\n]\n" if count else b"]\n")
    return count


def _dumps(record: dict[str, Any]) -> bytes:
    return json.dumps(
        record, ensure_ascii=False, allow_nan=False, default=_json_default, separators=(",", ":")
    ).encode()


def _typed(value: Any, kind: str) -> Any:
    """Return the Python value a typed format stores for a JSON-ready ``value``."""
    if isinstance(value, str) and kind in ("date", "datetime"):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return None
        return parsed.date() if kind == "date" else parsed
    return _finite(value)


def _write_xlsx(
    fields: Sequence[DatastoreField], rows: Iterable[Sequence[Any]], out: BinaryIO
) -> int:
    # Here, not at the top: every web process imports this module; Arrow and openpyxl take
    # a second to import and only a download in these formats needs them.
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("data")

    def text_cell(value: Any) -> WriteOnlyCell:
        clean = ILLEGAL_CHARACTERS_RE.sub("", escape_formula(str(value)))
        cell = WriteOnlyCell(sheet, value=clean)
        cell.data_type = "s"  # a typed string, never a formula
        return cell

    sheet.append([text_cell(f.name) for f in fields])
    kinds = [f.type for f in fields]
    count = 0
    for row in rows:
        if count + 1 >= XLSX_MAX_ROWS:
            raise ConversionError(f"more than {XLSX_MAX_ROWS - 1} rows do not fit in XLSX")
        sheet.append(
            [
                text_cell(v) if k == "text" and v is not None else _typed(v, k)
                for v, k in zip(row, kinds, strict=True)
            ]
        )
        count += 1
    workbook.save(out)
    return count


def _write_parquet(
    fields: Sequence[DatastoreField], rows: Iterable[Sequence[Any]], out: BinaryIO
) -> int:
    import pyarrow as pa  # here, as openpyxl above
    import pyarrow.parquet as pq

    arrow_types = {
        "text": pa.string(),
        "integer": pa.int64(),
        "number": pa.float64(),
        "boolean": pa.bool_(),
        "date": pa.date32(),
        "datetime": pa.timestamp("us"),
    }
    schema = pa.schema([pa.field(f.name, arrow_types[f.type]) for f in fields])
    kinds = [f.type for f in fields]
    count = 0
    with pq.ParquetWriter(out, schema, compression="zstd") as writer:
        columns: list[list[Any]] = [[] for _ in fields]

        def flush() -> None:
            arrays = [pa.array(col, type=schema.field(i).type) for i, col in enumerate(columns)]
            writer.write_batch(pa.record_batch(arrays, schema=schema))
            for col in columns:
                col.clear()

        try:
            for row in rows:
                for col, value, kind in zip(columns, row, kinds, strict=True):
                    col.append(_typed(value, kind))
                count += 1
                if count % PARQUET_ROW_GROUP == 0:
                    flush()
            if count % PARQUET_ROW_GROUP or count == 0:
                flush()
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            raise ConversionError(f"a value does not fit its column type: {exc}") from exc
    return count


_WRITERS = {"csv": _write_csv, "json": _write_json, "xlsx": _write_xlsx, "parquet": _write_parquet}


def export_rows(
    fields: Sequence[DatastoreField], rows: Iterable[Row], fmt: str, out: BinaryIO
) -> int:
    """Write ``rows`` (sequences in ``fields`` order, or mappings by name) to ``out``.

    ``fmt`` is one of ``MEDIA_TYPES``. Values are JSON-ready (dates as ISO strings) or
    ``date``/``datetime`` objects. Returns the number of rows written; ``out`` is left
    open. Raises ``ConversionError`` for an unknown format, a value that does not fit
    its column type, or more rows than XLSX holds.
    """
    if fmt not in _WRITERS:
        raise ConversionError(f"unknown export format {fmt!r}; use one of: {', '.join(_WRITERS)}")
    return _WRITERS[fmt](fields, _sequences(fields, rows), out)


def convert_csv(src_csv: Path, table_schema: Mapping[str, Any], fmt: str, out: BinaryIO) -> int:
    """Convert a published UTF-8 CSV to ``fmt``, casting cells by the Table Schema.

    Streams the file, so memory does not grow with its size. Returns the number of rows.
    Raises ``ConversionError`` for a malformed CSV or any ``export_rows`` error.
    """
    try:
        fields = fields_from_table_schema(table_schema)
        return export_rows(fields, read_typed_rows(src_csv, table_schema), fmt, out)
    except LoadFailed as exc:
        raise ConversionError(exc.message) from exc
