"""One batch of rows written to a published table (issue 17), before anything is stored.

A batch is applied to the resource's normalized table (the unstripped copy in the vault)
into a new file: ``insert`` appends, ``upsert`` replaces or appends by primary key,
``update`` changes rows found by primary key (fields not given keep their values),
``delete`` removes the rows matching ``filters`` (all rows without filters). Every row the
batch adds or changes is then validated with Frictionless against the approved Table
Schema (``datasets.validation.validate_table``, as uploads are) and scanned for personal
data (``datasets.personal.scan_columns``). A batch with any error is refused whole.

Values arrive as JSON and become the cells of a CSV as the upload pipeline writes them:
text as is (NFC), numbers as written, booleans ``true``/``false``, null an empty cell.
Key and filter values are compared as these cells.
"""

from __future__ import annotations

import csv
import json
import os
import re
import tempfile
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from datasets.datastore import fields_from_table_schema
from datasets.personal import Action, ColumnDecision, Finding, scan_columns
from publishers import DomainError

METHODS = ("insert", "upsert", "update")
# At most this many records in one batch (the body's size is capped by the web layer).
MAX_BATCH_ROWS = 5_000
# Each write rewrites the table: tables larger than this take new rows by upload only.
MAX_TABLE_ROWS = 100_000
# At most this many errors are answered for a refused batch.
MAX_ISSUES = 100
_ROW_IN_MESSAGE = re.compile(r' in row "\d+"')


@dataclass(frozen=True)
class BatchIssue:
    """Why a batch was refused: a Frictionless-style code at a record (from 0) and field."""

    code: str
    message: str
    row: int | None = None
    field: str | None = None


class BatchRefused(DomainError):
    """The batch breaks the approved Table Schema (or its bounds); nothing was stored."""

    code = "batch_refused"

    def __init__(self, issues: Sequence[BatchIssue]) -> None:
        super().__init__("the batch was refused", count=len(issues))
        self.issues = tuple(issues)


@dataclass(frozen=True)
class Batch:
    """What a caller asked: the method, the records (JSON objects) or the delete filters.

    ``fields`` (name, datastore type or None) and ``key`` are what ``datastore_create``
    declared: the batch is refused when they differ from the approved schema.
    """

    method: str
    records: Sequence[Mapping[str, Any]] = ()
    filters: Mapping[str, Any] | None = None
    force: bool = False
    fields: Sequence[tuple[str, str | None]] | None = None
    key: Sequence[str] | None = None


# Datastore type names a caller may declare, by the column type they stand for.
_TYPE_NAMES = {
    "text": {"text", "string", "varchar"},
    "integer": {"int", "integer", "int4", "int8", "bigint", "smallint"},
    "number": {"numeric", "number", "float", "float8", "double precision", "real"},
    "boolean": {"bool", "boolean"},
    "date": {"date"},
    "datetime": {"timestamp", "datetime", "timestamptz"},
}


def check_declared(schema: Mapping[str, Any], batch: Batch) -> None:
    """Refuse ``fields`` or ``key`` declared unlike the approved schema (``schema-changed``):
    the schema changes only through review."""
    if batch.fields is not None:
        approved = fields_from_table_schema(schema)
        types = {f.name: f.type for f in approved}
        issues = [
            BatchIssue("schema-changed", "the field is not in the approved schema", None, name)
            for name, _type in batch.fields
            if name not in types
        ]
        issues += [
            BatchIssue("schema-changed", f"the approved type is {types[name]}", None, name)
            for name, kind in batch.fields
            if name in types and kind and kind.lower() not in _TYPE_NAMES[types[name]]
        ]
        declared = {name for name, _type in batch.fields}
        issues += [
            BatchIssue("schema-changed", "the approved field is missing", None, f.name)
            for f in approved
            if f.name not in declared
        ]
        if issues:
            raise BatchRefused(issues[:MAX_ISSUES])
    if batch.key is not None and list(batch.key) != primary_key(schema):
        message = f"the approved primary key is {primary_key(schema) or 'none'}"
        raise BatchRefused([BatchIssue("schema-changed", message, None, "primary_key")])


@dataclass
class Applied:
    """The outcome of applying a batch to a table (written to ``dst``)."""

    header: list[str]
    changed: list[list[str]] = field(default_factory=list)  # rows added or changed
    numbers: list[int] = field(default_factory=list)  # the record of each changed row
    # The cells the batch gave, in table layout (others empty): what the scan reads, so
    # values approved earlier are not scanned again out of their table.
    given: list[list[str]] = field(default_factory=list)
    row_count: int = 0
    affected: int = 0


def cell(value: Any) -> str:
    """Return the CSV cell of a JSON value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value) if isinstance(value, float) else str(value)
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def primary_key(schema: Mapping[str, Any]) -> list[str]:
    """Return the schema's primary key columns (empty when it has none)."""
    key = schema.get("primaryKey") or []
    return [key] if isinstance(key, str) else [str(k) for k in key]


def _cells(records: Sequence[Mapping[str, Any]], header: Sequence[str]) -> list[dict[str, str]]:
    issues, out = [], []
    known = set(header)
    for number, record in enumerate(records):
        if not isinstance(record, Mapping):
            issues.append(BatchIssue("type-error", "a record must be a JSON object", number))
            continue
        for name in record:
            if name not in known:
                issues.append(
                    BatchIssue("extra-cell", "the field is not in the Table Schema", number, name)
                )
        out.append({k: cell(v) for k, v in record.items() if k in known})
    if issues:
        raise BatchRefused(issues[:MAX_ISSUES])
    return out


def _key_of(values: Mapping[str, str] | Sequence[str], key: Sequence[int | str]) -> tuple[str, ...]:
    if isinstance(values, Mapping):
        return tuple(values.get(str(k), "") for k in key)
    return tuple(values[int(k)] for k in key)


def apply_batch(
    src: Path, dst: Path, schema: Mapping[str, Any], batch: Batch, scratch: Path
) -> Applied:
    """Apply ``batch`` to the normalized table ``src``, writing the result to ``dst``.

    Raises ``BatchRefused`` (nothing usable in ``dst``) for a record with a field outside the
    schema, a primary key missing, repeated, already present (``insert``) or absent
    (``update``), an unknown filter column, a table past ``MAX_TABLE_ROWS``, or rows that
    Frictionless finds invalid.
    """
    check_declared(schema, batch)
    if batch.method != "delete" and len(batch.records) > MAX_BATCH_ROWS:
        raise BatchRefused([BatchIssue("batch-too-large", f"at most {MAX_BATCH_ROWS} records")])
    with src.open(newline="", encoding="utf-8") as infile:
        reader = csv.reader(infile)
        header = next(reader, [])
        applied = Applied(header=list(header))
        records = _cells(batch.records, header)
        key = primary_key(schema)
        positions = [header.index(k) for k in key if k in header]
        wanted = _wanted(batch, records, key, positions, header)
        filters = _filters(batch, header)
        with dst.open("w", newline="", encoding="utf-8") as outfile:
            writer = csv.writer(outfile, lineterminator="\n")
            writer.writerow(header)
            for row in reader:
                row = (row + [""] * len(header))[: len(header)]
                found = wanted.get(_key_of(row, positions)) if wanted else None
                if filters is not None:
                    if all(row[i] in values for i, values in filters):
                        applied.affected += 1
                        continue
                elif found is not None:
                    number, record = found
                    if batch.method == "insert":
                        raise BatchRefused(
                            [BatchIssue("primary-key", "the key is already in the table", number)]
                        )
                    row = [record.get(name, row[i]) for i, name in enumerate(header)]
                    applied.changed.append(row)
                    applied.given.append([record.get(name, "") for name in header])
                    applied.numbers.append(number)
                    applied.affected += 1
                    wanted.pop(_key_of(row, positions))
                writer.writerow(row)
                applied.row_count += 1
                if applied.row_count > MAX_TABLE_ROWS:
                    raise BatchRefused([BatchIssue("table-too-large", str(MAX_TABLE_ROWS))])
            _append_rest(batch, wanted, records, bool(key), writer, applied)
    if applied.changed:
        _validate(applied, schema, scratch)
    return applied


def _wanted(
    batch: Batch,
    records: list[dict[str, str]],
    key: list[str],
    positions: list[int],
    header: list[str],
) -> dict[tuple[str, ...], tuple[int, dict[str, str]]]:
    """Return the records by primary key (empty for a plain ``insert`` or a ``delete``)."""
    if batch.method == "delete" or (batch.method == "insert" and not key):
        return {}
    if not key or len(positions) != len(key):
        issue = BatchIssue("primary-key", f"{batch.method} needs a primary key in the schema")
        raise BatchRefused([issue])
    out: dict[tuple[str, ...], tuple[int, dict[str, str]]] = {}
    issues = []
    for number, record in enumerate(records):
        value = _key_of(record, key)
        missing = [k for k, v in zip(key, value, strict=True) if v == ""]
        if missing:
            issues.append(BatchIssue("primary-key", "the key has no value", number, missing[0]))
        elif value in out:
            issues.append(BatchIssue("primary-key", "the key is repeated in the batch", number))
        out[value] = (number, record)
    if issues:
        raise BatchRefused(issues[:MAX_ISSUES])
    return out


def _filters(batch: Batch, header: list[str]) -> list[tuple[int, set[str]]] | None:
    if batch.method != "delete":
        return None
    given = batch.filters or {}
    if not given and not batch.force:
        raise BatchRefused([BatchIssue("force-required", "deleting every row needs force")])
    out = []
    for column, value in given.items():
        if column not in header:
            raise BatchRefused([BatchIssue("unknown-field", "no such column", None, column)])
        values = value if isinstance(value, list) else [value]
        out.append((header.index(column), {cell(v) for v in values}))
    return out


def _append_rest(
    batch: Batch,
    wanted: dict[tuple[str, ...], tuple[int, dict[str, str]]],
    records: list[dict[str, str]],
    keyed: bool,
    writer: Any,
    applied: Applied,
) -> None:
    header = applied.header
    if batch.method == "delete":
        return
    if batch.method == "update" and wanted:
        number = min(n for n, _ in wanted.values())
        raise BatchRefused([BatchIssue("primary-key", "no row has this key", number)])
    in_order = sorted(wanted.values(), key=lambda item: item[0])
    rest = in_order if keyed else list(enumerate(records))
    for number, record in rest:
        row = [record.get(name, "") for name in header]
        writer.writerow(row)
        applied.changed.append(row)
        applied.given.append(row)
        applied.numbers.append(number)
        applied.row_count += 1
        applied.affected += 1
    if applied.row_count > MAX_TABLE_ROWS:
        raise BatchRefused([BatchIssue("table-too-large", str(MAX_TABLE_ROWS))])


def _validate(applied: Applied, schema: Mapping[str, Any], scratch: Path) -> None:
    """Validate the changed rows with Frictionless; row numbers map back to the batch."""
    from datasets.validation import validate_table  # here: every process imports this module

    fd, name = tempfile.mkstemp(dir=scratch, prefix="batch-", suffix=".csv")
    os.close(fd)
    path = Path(name)
    try:
        with path.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(applied.header)
            writer.writerows(applied.changed)
        report = validate_table(path, schema, limit_errors=MAX_ISSUES)
    finally:
        path.unlink(missing_ok=True)
    if report.errors:
        raise BatchRefused(
            [
                BatchIssue(
                    issue.code,
                    # Frictionless names the row of the checked file: the record says it here.
                    _ROW_IN_MESSAGE.sub("", issue.message),
                    _record_number(applied, issue.row),
                    issue.field_name,
                )
                for issue in report.errors
            ]
        )


def _record_number(applied: Applied, row: int | None) -> int | None:
    """Return the batch's record number of a row of the validated file (header = 1)."""
    if row is None or not 2 <= row < len(applied.numbers) + 2:
        return None
    return applied.numbers[row - 2]


def fresh_findings(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    findings: Sequence[Finding],
    decisions: Sequence[ColumnDecision],
) -> list[Finding]:
    """Return the personal data the scan finds in ``rows`` that the approved decisions do
    not strip: a kind not found before in a column whose decision keeps it (or that has
    no decision)."""
    if not rows:
        return []
    known = {(f.column, str(f.kind)) for f in findings}
    stripped = {d.column for d in decisions if d.action is not Action.KEEP}
    return [
        f
        for f in scan_columns(header, rows)
        if f.column not in stripped and (f.column, str(f.kind)) not in known
    ]
