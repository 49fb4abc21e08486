"""Table Schema types to datastore columns, defensive cell casting and CSV streaming.

Shared by both datastore backends and by ``datasets.conversions``, so that every surface
reads the same typed values from the same published CSV.
"""

from __future__ import annotations

import csv
import itertools
import math
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from datasets.datastore.base import BadQuery, DatastoreField, LoadFailed

Caster = Callable[[str], Any]

# Table Schema type -> datastore type. Types without a native column (time, year-month,
# geopoint, object, ...) are kept as their text form: nothing is lost.
_TYPE_MAP = {
    "string": "text",
    "integer": "integer",
    "year": "integer",
    "number": "number",
    "boolean": "boolean",
    "date": "date",
    "datetime": "datetime",
}
_DEFAULT_TRUE = ("true", "True", "TRUE", "1")
_DEFAULT_FALSE = ("false", "False", "FALSE", "0")
_RESOURCE_ID = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]|_(?!_)){0,53}")
RESERVED_COLUMNS = frozenset({"_id", "_full_text"})


def check_resource_id(resource_id: str) -> str:
    """Return ``resource_id`` if it can name a table; raise ``BadQuery`` otherwise.

    Letters, digits, ``-`` and single ``_`` only, at most 54 characters: the name stays
    within PostgreSQL's 63-byte identifiers with our ``__`` suffixes, which no resource
    id can contain.
    """
    if not _RESOURCE_ID.fullmatch(resource_id):
        raise BadQuery("invalid resource id")
    return resource_id


def quote_ident(name: str) -> str:
    """Quote an SQL identifier (standard double quotes); refuse NUL characters."""
    if "\x00" in name:
        raise BadQuery("identifier contains a NUL character")
    return '"' + name.replace('"', '""') + '"'


def fields_from_table_schema(table_schema: Mapping[str, Any]) -> tuple[DatastoreField, ...]:
    """Map a Frictionless Table Schema to datastore columns, in schema order.

    Raises ``LoadFailed`` for a schema without fields, blank, duplicate (ignoring case,
    as SQL does) or reserved (``_id``, ``_full_text``) names.
    """
    raw_fields = table_schema.get("fields") or []
    if not raw_fields:
        raise LoadFailed("the table schema has no fields")
    fields: list[DatastoreField] = []
    seen: set[str] = set()
    for raw in raw_fields:
        name = str(raw.get("name", ""))
        if not name.strip() or "\x00" in name:
            raise LoadFailed("the table schema has a blank column name")
        if name.lower() in seen:
            raise LoadFailed(f"duplicate column name: {name!r}")
        if name.lower() in RESERVED_COLUMNS:
            raise LoadFailed(f"reserved column name: {name!r}")
        seen.add(name.lower())
        fields.append(DatastoreField(name, _TYPE_MAP.get(str(raw.get("type", "string")), "text")))
    return tuple(fields)


def _text(cell: str) -> str | None:
    return cell if cell != "" else None


def _integer_caster(group_char: str) -> Caster:
    def cast(cell: str) -> int | None:
        try:
            return int(cell.replace(group_char, "") if group_char else cell)
        except ValueError:
            return None

    return cast


def _number_caster(decimal_char: str, group_char: str) -> Caster:
    def cast(cell: str) -> float | None:
        if group_char:
            cell = cell.replace(group_char, "")
        if decimal_char != ".":
            cell = cell.replace(decimal_char, ".")
        try:
            value = float(cell)
        except ValueError:
            return None
        return value if math.isfinite(value) else None

    return cast


def _boolean_caster(true_values: frozenset[str], false_values: frozenset[str]) -> Caster:
    def cast(cell: str) -> bool | None:
        if cell in true_values:
            return True
        if cell in false_values:
            return False
        return None

    return cast


def _date_caster(fmt: str) -> Caster:
    def cast(cell: str) -> str | None:
        try:
            if fmt in ("default", "any"):
                return date.fromisoformat(cell).isoformat()
            return datetime.strptime(cell, fmt).date().isoformat()
        except ValueError:
            return None

    return cast


def normalize_datetime(value: datetime) -> str:
    """Return the ISO form stored for a datetime: aware values are converted to UTC."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat()


def _datetime_caster(fmt: str) -> Caster:
    def cast(cell: str) -> str | None:
        try:
            if fmt in ("default", "any"):
                parsed = datetime.fromisoformat(cell)
            else:
                parsed = datetime.strptime(cell, fmt)
        except ValueError:
            return None
        return normalize_datetime(parsed)

    return cast


def casters_for(table_schema: Mapping[str, Any]) -> list[Caster]:
    """Return one caster per schema field turning a CSV cell into a JSON-ready value.

    Empty cells and cells that do not parse become None; dates are ``YYYY-MM-DD`` and
    datetimes ISO 8601 without offset (UTC when the cell had one).
    """
    casters: list[Caster] = []
    for raw in table_schema.get("fields") or []:
        kind = str(raw.get("type", "string"))
        fmt = str(raw.get("format", "default"))
        group = str(raw.get("groupChar", ""))
        if kind in ("integer", "year"):
            casters.append(_integer_caster(group))
        elif kind == "number":
            casters.append(_number_caster(str(raw.get("decimalChar", ".")), group))
        elif kind == "boolean":
            casters.append(
                _boolean_caster(
                    frozenset(raw.get("trueValues", _DEFAULT_TRUE)),
                    frozenset(raw.get("falseValues", _DEFAULT_FALSE)),
                )
            )
        elif kind == "date":
            casters.append(_date_caster(fmt))
        elif kind == "datetime":
            casters.append(_datetime_caster(fmt))
        else:
            casters.append(_text)
    return casters


ColumnCaster = Callable[[Sequence[str]], list[Any]]


def _column_caster(cast: Caster, kind: str, raw: Mapping[str, Any]) -> ColumnCaster:
    """Cast a whole column of a batch; the common clean case runs at C speed (map)."""
    fmt = str(raw.get("format", "default"))
    plain = not raw.get("groupChar") and raw.get("decimalChar", ".") == "."
    if kind not in ("integer", "year", "number", "boolean", "date", "datetime"):
        return lambda col: [v if v else None for v in col]
    if kind in ("integer", "year") and plain:

        def integers(col: Sequence[str]) -> list[Any]:
            try:
                return list(map(int, col))
            except ValueError:
                return [cast(v) for v in col]

        return integers
    if kind == "number" and plain:

        def numbers(col: Sequence[str]) -> list[Any]:
            try:
                out: list[Any] = list(map(float, col))
            except ValueError:
                return [cast(v) for v in col]
            return out if all(map(math.isfinite, out)) else [cast(v) for v in col]

        return numbers
    if kind == "date" and fmt in ("default", "any"):

        def dates(col: Sequence[str]) -> list[Any]:
            try:
                return [d.isoformat() for d in map(date.fromisoformat, col)]
            except ValueError:
                return [cast(v) for v in col]

        return dates
    return lambda col: [cast(v) for v in col]


def read_typed_batches(
    csv_path: Path,
    table_schema: Mapping[str, Any],
    batch_size: int = 2_000,
    text_lengths: dict[str, list[int]] | None = None,
    *,
    int64: bool = False,
) -> Iterator[list[tuple[Any, ...]]]:
    """Stream the CSV as batches of typed, JSON-ready row tuples in schema field order.

    Casting runs column by column over each batch (at most ``batch_size`` rows in
    memory). The header must name the schema's fields (in any order). Raises
    ``LoadFailed`` for a missing or mismatched header, a ragged row or malformed CSV,
    naming the line. ``text_lengths``, when given, is filled with ``[characters,
    non-empty cells]`` of every text column as the batches go by (what a loader needs
    to tell free text from codes without scanning its table again). With ``int64`` an
    integer outside the signed 64-bit range (what a datastore column holds) does not cast.
    """
    fields = fields_from_table_schema(table_schema)
    raw_fields = list(table_schema.get("fields") or [])
    column_casters = [
        _column_caster(cast, str(raw.get("type", "string")), raw)
        for cast, raw in zip(casters_for(table_schema), raw_fields, strict=True)
    ]
    with csv_path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        try:
            header = next(reader)
        except StopIteration:
            raise LoadFailed("the CSV file is empty") from None
        except (csv.Error, UnicodeDecodeError) as exc:
            raise LoadFailed(f"malformed CSV header: {exc}") from None
        names = [f.name for f in fields]
        if sorted(header) != sorted(names):
            raise LoadFailed("the CSV header does not match the table schema")
        order = [header.index(name) for name in names]
        text_columns = [i for i, f in enumerate(fields) if f.type == "text"]
        wide = [i for i, f in enumerate(fields) if int64 and f.type == "integer"]
        width = len(names)
        line = 1
        try:
            while batch := list(itertools.islice(reader, batch_size)):
                if set(map(len, batch)) != {width}:
                    bad = next(i for i, row in enumerate(batch) if len(row) != width)
                    raise LoadFailed(
                        f"line {line + bad + 1}: {len(batch[bad])} cells, expected {width}"
                    )
                columns = list(zip(*batch, strict=True))
                typed = [column_casters[i](columns[j]) for i, j in enumerate(order)]
                for i in wide:
                    typed[i] = _within_int64(typed[i])
                if text_lengths is not None:
                    for i in text_columns:
                        cells = columns[order[i]]
                        totals = text_lengths.setdefault(names[i], [0, 0])
                        totals[0] += sum(map(len, cells))
                        totals[1] += len(cells) - cells.count("")
                yield list(zip(*typed, strict=True))
                line = reader.line_num
        except (csv.Error, UnicodeDecodeError) as exc:
            raise LoadFailed(f"malformed CSV near line {reader.line_num}: {exc}") from None


_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def _within_int64(values: list[Any]) -> list[Any]:
    """Integers outside the signed 64-bit range become None (checked at C speed first)."""
    present = [v for v in values if v is not None] if None in values else values
    if not present or (min(present) >= _INT64_MIN and max(present) <= _INT64_MAX):
        return values
    return [v if v is None or _INT64_MIN <= v <= _INT64_MAX else None for v in values]


def read_typed_rows(csv_path: Path, table_schema: Mapping[str, Any]) -> Iterator[tuple[Any, ...]]:
    """Stream the CSV's rows one by one (see ``read_typed_batches``)."""
    for batch in read_typed_batches(csv_path, table_schema):
        yield from batch


def cast_filter_value(field: DatastoreField, value: str) -> Any:
    """Cast a filter value from a query string to the column's stored form.

    Raises ``BadQuery`` naming the field when the value cannot have that type.
    """
    if field.type == "text":
        return value
    casters: dict[str, Caster] = {
        "integer": _integer_caster(""),
        "number": _number_caster(".", ""),
        "boolean": _boolean_caster(frozenset(_DEFAULT_TRUE), frozenset(_DEFAULT_FALSE)),
        "date": _date_caster("default"),
        "datetime": _datetime_caster("default"),
    }
    cast = casters[field.type](value.strip())
    if cast is None:
        message = f"filter value for {field.name!r} is not a valid {field.type}"
        if value.lstrip()[:1] in ("<", ">", "!"):
            message += f"; compare with {field.name}__gt, __gte, __lt, __lte or __ne"
        raise BadQuery(message)
    return cast


_FOLD_EXTRA = str.maketrans({"đ": "d", "Đ": "D"})


def fold_text(text: str) -> str:
    """Fold text for full-text matching: NFC, lower case, no Vietnamese diacritics.

    ``đ`` becomes ``d`` too, which Unicode decomposition alone does not do.
    """
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFC", text))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.translate(_FOLD_EXTRA).lower()


def query_words(q: str) -> list[str]:
    """Split a full-text query into folded words (letters and digits only)."""
    return re.findall(r"[^\W_]+", fold_text(q))
