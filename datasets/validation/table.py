"""Validate a UTF-8 CSV against a Frictionless Table Schema, with Frictionless' findings.

Frictionless defines what an error is (SPEC §3 step 3). ``validate_table`` reports the same
error codes at the same rows and fields as ``frictionless validate`` with the same schema, up to
the same error cap, but it does not build a Frictionless ``Row`` for every row: the file is read
with the csv module in bounded batches, each column is checked with whole-column operations
(``checks``), and only the rows that may carry an error are handed to Frictionless'
own row reader. Anything the fast engine does not cover (foreign keys, compression, non-local
sources, an unexpected failure) runs Frictionless itself, so results are always Frictionless'.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from datasets.validation_report import ValidationIssue, ValidationReport

if TYPE_CHECKING:
    from frictionless import Resource

    from datasets.validation.engine import Observer

# Frictionless (0.7 s to import) and the engine built on it are imported when a table is
# validated: ``validate_and_scan`` starts its scan process first, which then scans meanwhile.

__all__ = ["ValidationIssue", "ValidationReport", "infer_schema", "validate_table"]


def infer_schema(csv_path: Path, *, sample_rows: int = 1000) -> dict[str, Any]:
    """Infer a Table Schema descriptor from the first ``sample_rows`` rows of a CSV file.

    Uses Frictionless' own inference so that the schema means what Frictionless means.
    Raises ``frictionless.FrictionlessException`` when the file cannot be read as a table.
    """
    from frictionless import Detector, Resource

    resource = Resource(str(csv_path), detector=Detector(sample_size=max(1, sample_rows)))
    resource.infer()
    descriptor: dict[str, Any] = resource.schema.to_descriptor()
    return descriptor


def validate_table(
    csv_path: Path,
    schema: Mapping[str, Any],
    *,
    limit_errors: int = 1000,
    progress: Callable[[int], None] | None = None,
    observe: Observer | None = None,
) -> ValidationReport:
    """Validate ``csv_path`` against ``schema`` and return Frictionless' findings.

    Guarantees the error codes, row numbers and field numbers of
    ``frictionless validate <csv_path> --schema <schema>`` with the same error cap
    (``limit_errors``; 0 means no cap), in order. Memory stays bounded by the batch size
    (keys for unique and primary-key checks move to a temporary file past a size).
    ``progress`` receives the number of data rows read so far, once per batch. ``observe``
    receives each batch of data rows as read (the personal-data scan counts them in the same
    pass); it sees the rows in file order from the first, but not necessarily all of them
    (the error cap, or a file the fast engine hands to Frictionless): its caller reads the rest.
    """
    gc_was_enabled = gc.isenabled()
    # The batches hold hundreds of thousands of small strings; the cyclic collector would
    # walk all of them again and again (measured: 5x slower column checks). Batches hold no
    # reference cycles, so reference counting frees them.
    gc.disable()
    try:
        return _validate(csv_path, dict(schema), limit_errors, progress, observe)
    finally:
        if gc_was_enabled:
            gc.enable()


def _validate(
    csv_path: Path,
    schema: dict[str, Any],
    limit_errors: int,
    progress: Callable[[int], None] | None,
    observe: Observer | None,
) -> ValidationReport:
    from datasets.validation.engine import EngineUnsupported, run_fast_engine

    try:
        rows, found, truncated = run_fast_engine(
            _open_resource(csv_path, schema),
            limit_errors=limit_errors,
            progress=progress,
            observe=observe,
        )
    except EngineUnsupported:
        return _validate_with_frictionless(csv_path, schema, limit_errors)
    issues = tuple(_issue_from_error(error) for error in found)
    return ValidationReport(valid=not issues, row_count=rows, errors=issues, truncated=truncated)


def _open_resource(csv_path: Path, schema: dict[str, Any]) -> Resource:
    from datasets.validation.engine import EngineUnsupported

    try:
        resource = _resource(csv_path, schema)
        resource.to_descriptor(validate=True)
    except Exception as exc:  # any metadata problem: Frictionless reports it itself
        raise EngineUnsupported("metadata") from exc
    return resource


def _resource(csv_path: Path, schema: dict[str, Any]) -> Resource:
    # As `frictionless validate <name> --schema ...` run in the file's folder: Frictionless
    # refuses absolute paths as unsafe, a base path is how a trusted location is given.
    from frictionless import Resource, Schema

    options: dict[str, Any] = {}
    if csv_path.suffix.lower() not in (".csv", ".tsv"):
        options["format"] = "csv"  # the portal's normalized files are CSV whatever their name
    return Resource(
        csv_path.name,
        basepath=str(csv_path.parent.resolve()),
        schema=Schema.from_descriptor(schema),
        **options,
    )


def _validate_with_frictionless(
    csv_path: Path, schema: dict[str, Any], limit_errors: int
) -> ValidationReport:
    from frictionless import FrictionlessException

    try:
        resource = _resource(csv_path, schema)
    except FrictionlessException as exc:  # an invalid schema: report it as the command does
        found = exc.reasons or [exc.error]
        issues = tuple(_issue_from_error(error) for error in found)
        return ValidationReport(valid=False, row_count=0, errors=issues, truncated=False)
    report = resource.validate(limit_errors=limit_errors)
    found = list(_report_errors(report))
    rows = 0
    truncated = any("reached error limit" in warning for warning in report.warnings)
    for task in report.tasks:
        rows += int(task.stats.get("rows") or 0)
        truncated = truncated or any("reached error limit" in w for w in task.warnings)
    issues = tuple(_issue_from_error(error) for error in found)
    return ValidationReport(
        valid=bool(report.valid), row_count=rows, errors=issues, truncated=truncated
    )


def _report_errors(report: Any) -> Iterator[Any]:
    yield from report.errors
    for task in report.tasks:
        yield from task.errors


def _issue_from_error(error: Any) -> ValidationIssue:
    field_name = getattr(error, "field_name", None) or None
    return ValidationIssue(
        code=str(error.type),
        row=getattr(error, "row_number", None),
        field_number=getattr(error, "field_number", None),
        field_name=field_name,
        message=str(error.message),
    )
