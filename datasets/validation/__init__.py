"""Validation of a normalized table against its Table Schema (SPEC §3 step 3).

The face of the subpackage; the modules behind it:

* ``table``: ``validate_table`` and ``infer_schema``, Frictionless' findings as a report;
* ``engine``: the fast engine (whole-column checks in batches) ``validate_table`` runs first;
* ``checks``: the column checkers of the fast engine;
* ``arrow_engine``, ``arrow_checks``: the engine's reading and column checks of a plain UTF-8
  CSV file with Arrow (issue 24);
* ``keys``: what unique and primary-key checks remember, in bounded memory;
* ``single_pass``: validation and the personal-data scan in one pass over the rows (a large
  table is scanned by a second process meanwhile: ``start_scan``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from datasets.lazy_face import lazy_attribute
from datasets.validation_report import ValidationIssue, ValidationReport

if TYPE_CHECKING:
    from datasets.validation.single_pass import start_scan, validate_and_scan
    from datasets.validation.table import infer_schema, validate_table

# Loaded by whoever validates (the job processes): the engines import Frictionless, Arrow and
# NumPy, about a second, which the web processes and the start-up step do without; the scan's
# modules (datasets.personal) likewise.
_LAZY = {
    **dict.fromkeys(("start_scan", "validate_and_scan"), "datasets.validation.single_pass"),
    **dict.fromkeys(("infer_schema", "validate_table"), "datasets.validation.table"),
}


def __getattr__(name: str) -> Any:
    return lazy_attribute(__name__, _LAZY, name)


__all__ = [
    "ValidationIssue",
    "ValidationReport",
    "infer_schema",
    "start_scan",
    "validate_and_scan",
    "validate_table",
]
