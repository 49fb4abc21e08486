"""One pass over a normalized table: Frictionless validation, the personal-data scan and the
recognition of columns of administrative units (issue 22)."""

from __future__ import annotations

import csv
import itertools
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from datasets.personal import Finding, findings_of, scanner_for
from datasets.place_columns import PlaceCollector
from datasets.place_report import PlaceColumn
from datasets.validation.table import ValidationReport, validate_table

log = logging.getLogger(__name__)

_BATCH = 20_000


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
    (``scanning`` hears when that starts). The same rows feed the recognition of place
    columns, whose notes the returned report carries in ``places``.
    """
    scanner = scanner_for(normalized)
    if scanner is None:
        return validate_table(normalized, table_schema, progress=rows), ()
    places = PlaceCollector(scanner.header)

    def observe(batch: list[list[str]], columns: Sequence[tuple[str, ...]] | None) -> None:
        scanner.feed(batch, columns)
        places.feed(batch, columns)

    validation = validate_table(normalized, table_schema, progress=rows, observe=observe)
    if scanning is not None:
        scanning()
    if validation.truncated or scanner.rows < validation.row_count:
        _feed_rest(normalized, scanner.rows, observe)  # what the validation pass did not hand
    if places.columns:
        validation = replace(validation, places=_places(places))
    return validation, findings_of(scanner)


def _places(places: PlaceCollector) -> tuple[PlaceColumn, ...]:
    """The notes on the place columns; a failure of the lookup leaves none, never the upload
    (they are notes for the publisher), and goes to the server log."""
    from datasets.places import place_catalogue  # loaded only for tables with places

    try:
        return places.places(place_catalogue())
    except Exception:
        log.exception("recognizing place columns failed")
        return ()


def _feed_rest(path: Path, start: int, observe: Callable[[list[list[str]], None], None]) -> None:
    """Feed ``observe`` the rows of the CSV file after the first ``start``, in batches."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        next(reader, None)
        rest = itertools.islice(reader, start, None)
        while chunk := list(itertools.islice(rest, _BATCH)):
            observe(chunk, None)
