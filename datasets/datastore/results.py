"""Turning raw SQL results into JSON-ready records (for ``search_sql`` in particular)."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from datasets.datastore.base import DatastoreField
from datasets.datastore.casting import normalize_datetime
from datasets.public_cache import BoundedCache

# A table's columns, parsed once per text of its stored list (read on every page).
_FIELDS: BoundedCache[str, tuple[DatastoreField, ...]] = BoundedCache(256)


def fields_from_json(text: str) -> tuple[DatastoreField, ...]:
    """The columns stored as ``[{"name", "type"}, ...]`` JSON text."""
    return _FIELDS.get_or_build(
        text, lambda: tuple(DatastoreField(f["name"], f["type"]) for f in json.loads(text))
    )


def json_ready(value: Any) -> Any:
    """Return ``value`` as JSON can carry it: ISO dates, hex blobs, None for NaN/infinity."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, datetime):
        return normalize_datetime(value)
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    return str(value)


def record_names(names: Sequence[str]) -> list[str]:
    """Make result column names unique (``a``, ``a_2``) so no value is lost in a dict."""
    seen: set[str] = set()
    unique: list[str] = []
    for name in names:
        candidate, n = name, 1
        while candidate in seen:
            n += 1
            candidate = f"{name}_{n}"
        seen.add(candidate)
        unique.append(candidate)
    return unique


def _type_of(value: Any) -> str | None:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    return None if value is None else "text"


def fields_of_values(
    names: Sequence[str], records: Sequence[dict[str, Any]]
) -> tuple[DatastoreField, ...]:
    """Infer result columns from values: the first non-null value's type, else text."""
    fields = []
    for name in names:
        kind = next((t for r in records if (t := _type_of(r[name])) is not None), "text")
        fields.append(DatastoreField(name, kind))
    return tuple(fields)
