"""Small server-side charts of column statistics: bar geometry and localized labels.

The templates draw these as inline SVG (with a title, a description and a table of the
same figures as the text alternative); nothing is computed in the browser.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import format_date, format_decimal

WIDTH, HEIGHT = 240, 64


@dataclass(frozen=True)
class Bar:
    """One bar: its box in the SVG, its label and the count it stands for."""

    x: float
    y: float
    w: float
    h: float
    label: str
    count: int


@dataclass(frozen=True)
class Chart:
    """A histogram (vertical bars) or a top-values chart (horizontal bars)."""

    kind: str  # "histogram" or "top"
    width: int
    height: int
    bars: tuple[Bar, ...]


def _label(value: object, kind: str) -> str:
    if kind == "date" and isinstance(value, str):
        try:
            return str(format_date(date.fromisoformat(value[:10]), "medium"))
        except ValueError:
            return value
    if isinstance(value, int | float):
        return str(format_decimal(value, format="#,##0.##"))
    return str(value)


def histogram_chart(column: Mapping[str, Any]) -> Chart | None:
    """Return the histogram of a number or date column's statistics, or None."""
    histogram = column.get("histogram")
    if not histogram or not histogram.get("counts"):
        return None
    counts: Sequence[int] = histogram["counts"]
    edges: Sequence[object] = histogram["edges"]
    kind = str(column.get("kind"))
    one_per_value = (
        len(edges) > 2
        and len(ints := [e for e in edges if isinstance(e, int)]) == len(edges)
        and ints[1] == ints[0] + 1
    ) or (kind == "date" and len(counts) == len(edges) - 1 and _consecutive_days(edges))
    top = max(counts) or 1
    step = WIDTH / len(counts)
    bars = []
    for i, count in enumerate(counts):
        h = round(HEIGHT * count / top, 1)
        low, high = _label(edges[i], kind), _label(edges[i + 1], kind)
        label = low if one_per_value or len(edges) == 2 else f"{low} – {high}"
        bars.append(
            Bar(round(i * step, 1), HEIGHT - h, max(round(step - 1, 1), 1), h, label, count)
        )
    return Chart("histogram", WIDTH, HEIGHT, tuple(bars))


def _consecutive_days(edges: Sequence[object]) -> bool:
    try:
        days = [date.fromisoformat(str(e)[:10]).toordinal() for e in edges[:2]]
    except ValueError:
        return False
    return days[1] - days[0] == 1


def top_chart(column: Mapping[str, Any], limit: int = 5) -> Chart | None:
    """Return the most frequent values of a text column as horizontal bars, or None."""
    top = [t for t in column.get("top") or () if t.get("count", 0) > 1][:limit]
    if not top:
        return None
    most = max(int(t["count"]) for t in top)
    row = 18
    bars = tuple(
        Bar(
            0,
            i * row,
            round(max(WIDTH * t["count"] / most, 2), 1),
            row - 4,
            str(t["value"]),
            int(t["count"]),
        )
        for i, t in enumerate(top)
    )
    return Chart("top", WIDTH, row * len(top), bars)
