"""Analyse a table's bytes: its schema, validation report and personal-data findings.

``Processor`` analyses each upload; a harvest job analyses stripped tables ahead of the
import, in worker processes, and hands them over through ``PreparedAnalyses``.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from datasets.ingest import DetectedFormat, detect_format, normalize_to_csv
from datasets.personal import Finding


@dataclass(frozen=True)
class TableAnalysis:
    """What processing learns from a table's bytes and file name alone.

    Without a stored schema, encoding or sheet override, ``Processor`` derives exactly this
    from the original it is given; a harvest job computes it ahead of the import, in other
    processes, and hands it over through ``PreparedAnalyses`` so that it is not computed
    twice. Everything that depends on stored state (decisions, policy) is still done by
    ``Processor``.
    """

    detected: DetectedFormat
    schema: dict[str, Any]
    validation: dict[str, Any]
    findings: tuple[Finding, ...]


def analyse_normalized(
    normalized: Path,
    detected: DetectedFormat,
    schema: Mapping[str, Any] | None,
    *,
    rows: Callable[[int], None] | None = None,
    scanning: Callable[[], None] | None = None,
) -> TableAnalysis:
    """Return the schema, validation and findings of a normalized CSV table.

    ``rows`` hears how many rows were validated, ``scanning`` when the scan of the rest starts.

    The personal-data scan counts every row in the validation pass; rows that pass did not
    read (the error cap, a file Frictionless validates itself) are scanned after it.
    """
    # Here, not at the top: the web processes import this module (``PreparedAnalyses``)
    # but never validate, and the engines take about a second to import.
    from datasets.validation import infer_schema, start_scan, validate_and_scan

    # A large table's scan process starts first: it scans while the schema is inferred.
    started = start_scan(normalized)
    try:
        table_schema = dict(schema) if schema else infer_schema(normalized)
    except BaseException:
        if started is not None:
            started.close()
        raise
    validation, findings = validate_and_scan(
        normalized, table_schema, rows=rows, scanning=scanning, started=started
    )
    return TableAnalysis(
        detected=detected,
        schema=table_schema,
        validation=validation.to_json(),
        findings=findings,
    )


def analyse_table(original: Path, filename: str, scratch: Path) -> TableAnalysis | None:
    """Return the analysis ``Processor`` would make of a new upload of this file.

    None when the file is not a table. Raises what processing would raise (``IngestError``
    for an unreadable table); the caller then leaves the work to processing, which records
    the failure on the version.
    """
    detected = detect_format(original, filename)
    if not detected.is_tabular:
        return None
    handle, name = tempfile.mkstemp(dir=scratch, prefix="analyse-", suffix=".csv")
    os.close(handle)
    normalized = Path(name)
    try:
        normalize_to_csv(original, detected, normalized)
        return analyse_normalized(normalized, detected, None)
    finally:
        normalized.unlink(missing_ok=True)


class PreparedAnalyses:
    """Analyses computed ahead of processing, by SHA-256 and file name of the original.

    ``take`` hands one over once. The analysis is a function of the bytes and the name
    only, so an entry can never be applied to a different file; at most ``limit`` wait
    (the oldest go first), so entries nobody takes cannot pile up.
    """

    def __init__(self, limit: int = 256) -> None:
        self._limit = limit
        self._items: OrderedDict[tuple[str, str], TableAnalysis] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, sha256: str, filename: str, analysis: TableAnalysis) -> None:
        """Remember the analysis of the file with that digest and name."""
        with self._lock:
            self._items[(sha256, filename)] = analysis
            while len(self._items) > self._limit:
                self._items.popitem(last=False)

    def take(self, sha256: str | None, filename: str | None) -> TableAnalysis | None:
        """Return and forget the analysis of that file, or None."""
        if not sha256:
            return None
        with self._lock:
            return self._items.pop((sha256, filename or ""), None)

    def discard(self, sha256: str, filename: str) -> None:
        """Forget an analysis that will not be used."""
        with self._lock:
            self._items.pop((sha256, filename), None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)
