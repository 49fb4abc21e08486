"""Per-column statistics of a published table, computed once when it is published.

``column_statistics`` streams over the public CSV twice (summary, then histogram bins) in
bounded memory: distinct values are counted exactly up to ``DISTINCT_EXACT`` and estimated
above it (k minimum values), and top text values are kept in a pruned counter. The result
is plain JSON, stored on the resource version (``column_stats``) and shown on the public
pages. It is computed from the public (already stripped) file only.
"""

from __future__ import annotations

import csv
import heapq
import logging
import math
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

STATS_VERSION = 1
DISTINCT_EXACT = 2048  # distinct values counted exactly up to this many (KMV estimate above)
TOP_KEEP = 2000  # text values tracked at most; pruned to the most frequent half when full
NUMBER_TYPES = frozenset({"integer", "number", "year"})
DATE_TYPES = frozenset({"date", "datetime"})

log = logging.getLogger(__name__)


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _day(text: str) -> float | None:
    try:
        if len(text) > 10:
            return float(datetime.fromisoformat(text).date().toordinal())
        return float(date.fromisoformat(text).toordinal())
    except ValueError:
        return None


class _Distinct:
    """Distinct count: exact below ``k`` hashes, a k-minimum-values estimate above."""

    def __init__(self, k: int = DISTINCT_EXACT) -> None:
        self._k = k
        self._members: set[int] = set()
        self._heap: list[int] = []  # negated hashes: the largest kept hash is at [0]
        self._saturated = False

    def add(self, value: str) -> None:
        h = hash(value) & 0xFFFFFFFFFFFFFFFF
        if h in self._members:
            return
        if len(self._members) < self._k:
            self._members.add(h)
            heapq.heappush(self._heap, -h)
        elif h < -self._heap[0]:
            self._saturated = True
            self._members.discard(-heapq.heappushpop(self._heap, -h))
            self._members.add(h)
        else:
            self._saturated = True

    def result(self) -> tuple[int, bool]:
        """Return (count, exact)."""
        if not self._saturated:
            return len(self._members), True
        kth = -self._heap[0] / float(1 << 64)
        return round((self._k - 1) / kth), False


@dataclass
class _Column:
    name: str
    type: str
    kind: str  # "number", "date" or "text"
    missing: frozenset[str]
    count: int = 0
    nulls: int = 0
    invalid: int = 0
    low: float | None = None
    high: float | None = None
    total: float = 0.0
    distinct: _Distinct = field(default_factory=_Distinct)
    top: Counter[str] = field(default_factory=Counter)
    top_exact: bool = True
    bins: list[int] = field(default_factory=list)

    def parser(self) -> Callable[[str], float | None] | None:
        return {"number": _number, "date": _day}.get(self.kind)

    def add(self, raw: str) -> None:
        text = raw.strip()
        if text in self.missing:
            self.nulls += 1
            return
        self.count += 1
        self.distinct.add(text)
        parse = self.parser()
        if parse is None:
            self._add_text(text)
            return
        value = parse(text)
        if value is None:
            self.invalid += 1
            return
        self.total += value
        self.low = value if self.low is None or value < self.low else self.low
        self.high = value if self.high is None or value > self.high else self.high

    def _add_text(self, text: str) -> None:
        self.top[text] += 1
        if len(self.top) > TOP_KEEP:
            self.top = Counter(dict(self.top.most_common(TOP_KEEP // 2)))
            self.top_exact = False


def _kind(field_type: str) -> str:
    if field_type in NUMBER_TYPES:
        return "number"
    if field_type in DATE_TYPES:
        return "date"
    return "text"


def _rows(csv_path: Path) -> Iterator[list[str]]:
    with csv_path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader, None)  # header
        yield from reader


def _edges(column: _Column, bins: int) -> list[float]:
    assert column.low is not None and column.high is not None
    low, high = column.low, column.high
    if high == low:
        return [low, high]
    integral = column.type in {"integer", "year"} or column.kind == "date"
    if integral and high - low + 1 <= bins:
        return [low + i for i in range(int(high - low) + 2)]  # one bin per value
    step = (high - low) / bins
    return [low + step * i for i in range(bins)] + [high]


def _bin_index(edges: list[float], value: float) -> int:
    if len(edges) == 2:
        return 0
    width = edges[1] - edges[0]
    return min(int((value - edges[0]) / width), len(edges) - 2)


def _shown(column: _Column, value: float) -> float | int | str:
    if column.kind == "date":
        return date.fromordinal(round(value)).isoformat()
    if column.type in {"integer", "year"} and float(value).is_integer():
        return int(value)
    return round(value, 6)


def _summary(column: _Column, edges: list[float] | None, top: int) -> dict[str, Any]:
    distinct, exact = column.distinct.result()
    out: dict[str, Any] = {
        "name": column.name,
        "type": column.type,
        "kind": column.kind,
        "count": column.count,
        "nulls": column.nulls,
        "invalid": column.invalid,
        "distinct": distinct,
        "distinct_exact": exact,
    }
    parsed = column.count - column.invalid
    if column.kind != "text" and parsed and column.low is not None and column.high is not None:
        out["min"], out["max"] = _shown(column, column.low), _shown(column, column.high)
        out["mean"] = _shown(column, column.total / parsed)
        if edges is not None:
            out["histogram"] = {
                "edges": [_shown(column, e) for e in edges],
                "counts": column.bins,
            }
    if column.kind == "text":
        out["top"] = [{"value": v, "count": c} for v, c in column.top.most_common(top)]
        out["top_exact"] = column.top_exact
    return out


def column_statistics(
    csv_path: Path, table_schema: Mapping[str, Any], *, bins: int = 10, top: int = 8
) -> dict[str, Any]:
    """Return per-column statistics of a UTF-8 CSV described by ``table_schema``.

    For every column: non-empty ``count``, ``nulls``, ``invalid`` (values that do not parse
    as the column's type), ``distinct`` (``distinct_exact`` tells whether it is estimated);
    for numbers and dates ``min``, ``max``, ``mean`` and a ``histogram`` of ``bins``
    equal-width bins (``edges`` has one more item than ``counts``; dates are ISO strings);
    for text the ``top`` most frequent values. Memory stays bounded whatever the file size.
    """
    missing = frozenset(str(v) for v in table_schema.get("missingValues", [""]))
    fields = [f for f in table_schema.get("fields", []) if isinstance(f, Mapping)]
    columns = [
        _Column(
            str(f.get("name", "")), str(f.get("type", "string")), _kind(str(f.get("type"))), missing
        )
        for f in fields
    ]
    rows = 0
    for row in _rows(csv_path):
        rows += 1
        for column, cell in zip(columns, row, strict=False):
            column.add(cell)
        for column in columns[len(row) :]:
            column.nulls += 1
    edges = {
        i: _edges(c, bins)
        for i, c in enumerate(columns)
        if c.kind != "text" and c.low is not None and c.high is not None
    }
    for i, column_edges in edges.items():
        columns[i].bins = [0] * (len(column_edges) - 1)
    if edges:
        for row in _rows(csv_path):
            for i, column_edges in edges.items():
                if i >= len(row):
                    continue
                column = columns[i]
                parse = column.parser()
                text = row[i].strip()
                value = parse(text) if parse and text not in missing else None
                if value is not None:
                    column.bins[_bin_index(column_edges, value)] += 1
    return {
        "version": STATS_VERSION,
        "rows": rows,
        "columns": [_summary(c, edges.get(i), top) for i, c in enumerate(columns)],
    }


def statistics_or_none(
    path: Path, schema: Mapping[str, Any], version_id: str
) -> dict[str, Any] | None:
    """Column statistics of a public file; a failure leaves them absent, never the load."""
    try:
        return column_statistics(path, schema)
    except (OSError, ValueError, csv.Error):
        log.warning("column statistics failed", extra={"version_id": version_id})
        return None
