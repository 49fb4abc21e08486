"""Typed reads of what processing stores on a resource version as JSON.

``ResourceVersion`` (the table row) and ``MemberResource`` (the members' view of it) both
carry ``validation``, ``findings`` and ``decisions`` as stored; this mixin reads them as
``ValidationReport``, ``Finding`` and ``ColumnDecision``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from datasets.personal import ColumnDecision, Finding
from datasets.validation_report import ValidationReport


class VersionResults:
    """Typed access to ``validation``, ``findings`` and ``decisions`` (stored as JSON)."""

    if TYPE_CHECKING:  # set by the class that mixes this in (a mapped column, a field)
        validation: dict[str, Any] | None
        findings: list[dict[str, Any]] | None
        decisions: list[dict[str, Any]] | None

    @property
    def validation_report(self) -> ValidationReport | None:
        """The table's validation report, typed (None until it is validated)."""
        return ValidationReport.from_json(self.validation) if self.validation else None

    @property
    def column_findings(self) -> list[Finding]:
        """The personal-data findings of the table, typed (empty when not scanned)."""
        return [Finding.from_json(f) for f in self.findings or []]

    @property
    def column_decisions(self) -> list[ColumnDecision]:
        """The personal-data decisions recorded for the table, typed."""
        return [ColumnDecision.from_json(d) for d in self.decisions or []]

    def decisions_by_column(self) -> dict[str, ColumnDecision]:
        """The recorded decisions by column name."""
        return {d.column: d for d in self.column_decisions}

    def undecided_columns(self) -> list[str]:
        """The columns with a finding but no decision, in table order."""
        decided = {d.column for d in self.column_decisions}
        return [f.column for f in self.column_findings if f.column not in decided]
