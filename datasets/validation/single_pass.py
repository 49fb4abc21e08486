"""One pass over a normalized table: Frictionless validation and the personal-data scan."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from datasets.personal import Finding, findings_of, scan_rest, scanner_for
from datasets.validation.table import ValidationReport, validate_table


def validate_and_scan(
    normalized: Path,
    table_schema: Mapping[str, Any],
    *,
    rows: Callable[[int], None] | None = None,
    scanning: Callable[[], None] | None = None,
) -> tuple[ValidationReport, tuple[Finding, ...]]:
    """Validate a normalized CSV file and scan every row of it for personal data, in one pass.

    The scan counts the rows as the validation reads them; rows that pass did not read (the
    error cap, a file Frictionless validates itself) are scanned after it, and only those
    (``scanning`` hears when that starts).
    """
    scanner = scanner_for(normalized)
    observe = scanner.feed if scanner is not None else None
    validation = validate_table(normalized, table_schema, progress=rows, observe=observe)
    if scanner is None:
        return validation, ()
    if scanning is not None:
        scanning()
    if validation.truncated or scanner.rows < validation.row_count:
        scan_rest(scanner, normalized)  # what the validation pass did not hand over
    return validation, findings_of(scanner)
