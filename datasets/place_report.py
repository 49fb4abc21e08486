"""What the validation report says about columns of administrative units (issue 22).

A column of province, district, ward or commune names or codes is recognized during
processing (``datasets.place_columns``); the report then counts its values that name a
current unit, a unit that no longer exists (with the current unit it became) and no known
unit, with a bounded number of examples and their row numbers. These are notes for the
publisher, never Frictionless errors: they do not make a table invalid.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# Examples kept per column and kind (obsolete, unknown), and row numbers kept per example.
MAX_EXAMPLES = 20
MAX_ROWS = 5
# Current units suggested for one obsolete value (an old district became many wards).
MAX_SUGGESTIONS = 8


@dataclass(frozen=True)
class CurrentUnit:
    """A unit of the current generation, suggested for an old value: code and full name."""

    code: str
    name: str

    def to_json(self) -> dict[str, str]:
        """Return ``{"code", "name"}``."""
        return {"code": self.code, "name": self.name}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CurrentUnit:
        """Rebuild a unit stored with ``to_json``."""
        return cls(code=str(data["code"]), name=str(data.get("name", "")))


@dataclass(frozen=True)
class PlaceValue:
    """One distinct value of a place column the publisher should look at.

    ``rows`` are row numbers as in the validation errors (header = 1), at most ``MAX_ROWS``;
    ``context`` is the district (or province) the value was read with, when the table has
    such a column; ``current`` the units an obsolete value became (empty for an unknown one).
    ``ambiguous`` says that several old units have that name and nothing in the row says
    which (a district column would).
    """

    value: str
    count: int
    rows: tuple[int, ...]
    current: tuple[CurrentUnit, ...] = ()
    context: str = ""
    ambiguous: bool = False

    def to_json(self) -> dict[str, Any]:
        """Return the stored shape of the value."""
        return {
            "value": self.value,
            "count": self.count,
            "rows": list(self.rows),
            "current": [unit.to_json() for unit in self.current],
            "context": self.context,
            "ambiguous": self.ambiguous,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PlaceValue:
        """Rebuild a value stored with ``to_json``."""
        return cls(
            value=str(data["value"]),
            count=int(data.get("count", 0)),
            rows=tuple(int(r) for r in data.get("rows", ())),
            current=tuple(CurrentUnit.from_json(u) for u in data.get("current", ())),
            context=str(data.get("context", "")),
            ambiguous=bool(data.get("ambiguous", False)),
        )


@dataclass(frozen=True)
class PlaceColumn:
    """A column recognized as naming administrative units, and what its values name.

    ``level`` is ``province``, ``district`` (a level abolished on 1 July 2025) or
    ``commune`` (wards, communes, special zones); ``codes`` says the column holds codes
    rather than names. ``cells`` counts the non-empty cells read, ``current``, ``obsolete``
    and ``unknown`` how many of them name a current unit, a unit that no longer exists, or
    no known unit. ``complete`` is False when the bounds stopped the check (too many
    distinct values, or its time ran out): the counts then cover only what was checked.
    """

    column: str
    level: str
    codes: bool
    cells: int
    current: int
    obsolete: int
    unknown: int
    obsolete_values: tuple[PlaceValue, ...] = ()
    unknown_values: tuple[PlaceValue, ...] = ()
    complete: bool = True

    @property
    def has_notes(self) -> bool:
        """Whether there is something for the publisher to look at."""
        return bool(self.obsolete or self.unknown or not self.complete)

    def to_json(self) -> dict[str, Any]:
        """Return the stored shape of the column's notes."""
        return {
            "column": self.column,
            "level": self.level,
            "codes": self.codes,
            "cells": self.cells,
            "current": self.current,
            "obsolete": self.obsolete,
            "unknown": self.unknown,
            "obsolete_values": [v.to_json() for v in self.obsolete_values],
            "unknown_values": [v.to_json() for v in self.unknown_values],
            "complete": self.complete,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PlaceColumn:
        """Rebuild a column stored with ``to_json``."""
        return cls(
            column=str(data["column"]),
            level=str(data.get("level", "")),
            codes=bool(data.get("codes", False)),
            cells=int(data.get("cells", 0)),
            current=int(data.get("current", 0)),
            obsolete=int(data.get("obsolete", 0)),
            unknown=int(data.get("unknown", 0)),
            obsolete_values=tuple(PlaceValue.from_json(v) for v in data.get("obsolete_values", ())),
            unknown_values=tuple(PlaceValue.from_json(v) for v in data.get("unknown_values", ())),
            complete=bool(data.get("complete", True)),
        )
