"""One pass over a normalized table: Frictionless validation, the personal-data scan and the
recognition of columns of administrative units (issue 22).

A table of ``PARALLEL_MIN_BYTES`` or more is scanned by a second process while this one
validates (issue 24: the two cores work at once). The scan process reads every row itself, in
the batches the validation pass would hand over, so the findings are the same as when the
validation pass feeds the scanner; if it fails, this process scans the whole table after the
validation, as a small table is.
"""

from __future__ import annotations

import csv
import itertools
import logging
import os
import pickle
import signal
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from datasets.personal import Finding, TableScanner, findings_of, scanner_for
from datasets.place_columns import PlaceCollector
from datasets.place_report import PlaceColumn
from datasets.process_watch import die_with_process
from datasets.validation.arrow_engine import plain_file, plain_row_batches
from datasets.validation.table import ValidationReport, validate_table

log = logging.getLogger(__name__)

_BATCH = 20_000
# Smaller tables are scanned in the validation pass: a process costs more than it saves.
PARALLEL_MIN_BYTES = 8 * 1024 * 1024

_Scanned = tuple[tuple[Finding, ...], tuple[PlaceColumn, ...]]


def validate_and_scan(
    normalized: Path,
    table_schema: Mapping[str, Any],
    *,
    rows: Callable[[int], None] | None = None,
    scanning: Callable[[], None] | None = None,
    started: ScanProcess | None = None,
) -> tuple[ValidationReport, tuple[Finding, ...]]:
    """Validate a normalized CSV file and scan every row of it for personal data.

    The scan counts the rows as the validation reads them; rows that pass did not read (the
    error cap, a file Frictionless validates itself) are scanned after it, and only those
    (``scanning`` hears when that starts). The same rows feed the recognition of place
    columns, whose notes the returned report carries in ``places``. A large table is scanned
    by a second process at the same time instead (the same findings); ``started`` is one
    the caller started already (``start_scan``), so that it ran during the schema inference.
    """
    scanner = scanner_for(normalized)
    if scanner is None:
        if started is not None:
            started.close()
        return validate_table(normalized, table_schema, progress=rows), ()
    helper = started or ScanProcess.start(normalized, scanner.header)
    if helper is not None:
        try:
            validation = validate_table(normalized, table_schema, progress=rows)
            if scanning is not None:
                scanning()
            scanned = helper.result()
        finally:
            helper.close()
        if scanned is None:
            log.warning("the scan process failed: scanning in this one")
            scanned = _scan_everything(normalized, scanner)
        findings, notes = scanned
        return (replace(validation, places=notes) if notes else validation), findings
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


def start_scan(normalized: Path) -> ScanProcess | None:
    """Start the scan process for a table large enough to want one (None otherwise); hand
    it to ``validate_and_scan`` as ``started``, which waits for it and ends it."""
    scanner = scanner_for(normalized)
    return None if scanner is None else ScanProcess.start(normalized, scanner.header)


class ScanProcess:
    """``_scan_everything`` in a forked process; its result comes back through a pipe."""

    def __init__(self, pid: int, pipe: int) -> None:
        self._pid, self._pipe = pid, pipe

    @classmethod
    def start(cls, path: Path, header: list[str]) -> ScanProcess | None:
        if not hasattr(os, "fork") or path.stat().st_size < PARALLEL_MIN_BYTES:
            return None
        read_end, write_end = os.pipe()
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # the scan process: never returns
            os.close(read_end)
            code, data = 1, b""
            try:
                die_with_process(parent)  # a job stopped at its time limit takes it along
                data = pickle.dumps(_scan_everything(path, TableScanner(header)))
                code = 0
            except BaseException:  # reported by the empty answer; the parent scans
                log.exception("scan process failed")
            try:
                with os.fdopen(write_end, "wb") as out:
                    out.write(data)
            finally:
                os._exit(code)
        os.close(write_end)
        return cls(pid, read_end)

    def result(self) -> _Scanned | None:
        """Wait for the scan; None when it failed."""
        with os.fdopen(self._pipe, "rb") as answer:
            self._pipe = -1
            data = answer.read()
        _, status = os.waitpid(self._pid, 0)
        self._pid = 0
        if status != 0 or not data:
            return None
        scanned: _Scanned = pickle.loads(data)
        return scanned

    def close(self) -> None:
        """End and reap the scan process if it is still there (the validation failed)."""
        if self._pipe >= 0:
            os.close(self._pipe)
            self._pipe = -1
        if self._pid:
            try:
                os.kill(self._pid, signal.SIGKILL)
                os.waitpid(self._pid, 0)
            except ProcessLookupError:  # already reaped
                pass
            self._pid = 0


def _scan_everything(path: Path, scanner: TableScanner) -> _Scanned:
    """Scan every row of the file, in the batches the validation pass hands over."""
    places = PlaceCollector(scanner.header)
    for batch, columns in _row_batches(path, len(scanner.header)):
        scanner.feed(batch, columns)
        places.feed(batch, columns)
    return findings_of(scanner), (_places(places) if places.columns else ())


def _row_batches(
    path: Path, width: int
) -> Iterator[tuple[Sequence[Sequence[str]], Sequence[Sequence[str]] | None]]:
    if width >= 2 and plain_file(path):
        yield from plain_row_batches(path, width, _BATCH)
        return
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        next(reader, None)
        while chunk := list(itertools.islice(reader, _BATCH)):
            yield chunk, None


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
