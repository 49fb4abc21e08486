"""Maps of points drawn as server-side SVG over approximate district outlines.

No tile server: the base map is ``app/static/maps/hcmc-districts-approx.geojson``, coarse
outlines of Ho Chi Minh City's districts authored for this project (labelled approximate
on every map). Points are projected equirectangularly around the city's latitude.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from datasets.geo import coordinate_columns

__all__ = ["PointMap", "coordinate_columns", "point_map"]

OUTLINES = Path(__file__).resolve().parents[1] / "static" / "maps" / "hcmc-districts-approx.geojson"
WIDTH = 640
MIN_HEIGHT, MAX_HEIGHT = 260, 560
_COS = math.cos(math.radians(10.8))  # the city's latitude


@dataclass(frozen=True)
class MapShape:
    """One district outline, projected: an SVG path and where its label goes."""

    name: str
    path: str
    label_x: float
    label_y: float
    labelled: bool  # large enough to carry its name on the whole map
    box_width: float = 0.0  # the outline's bounding box, for labels that appear on zoom
    box_height: float = 0.0
    visible: bool = True  # the label's anchor lies inside the map


@dataclass(frozen=True)
class PointMap:
    """A ready-to-draw map: outlines, one path holding every point, and text alternatives."""

    width: int
    height: int
    shapes: tuple[MapShape, ...]
    points_path: str
    count: int
    by_district: tuple[tuple[str, int], ...]
    outside: int


@lru_cache(maxsize=1)
def _districts() -> tuple[tuple[str, tuple[tuple[float, float], ...]], ...]:
    data = json.loads(OUTLINES.read_text(encoding="utf-8"))
    return tuple(
        (
            f["properties"]["name"],
            tuple((float(x), float(y)) for x, y in f["geometry"]["coordinates"][0]),
        )
        for f in data["features"]
    )


def _inside(lon: float, lat: float, ring: Sequence[tuple[float, float]]) -> bool:
    hit = False
    j = len(ring) - 1
    for i, (xi, yi) in enumerate(ring):
        xj, yj = ring[j]
        if (yi > lat) != (yj > lat) and lon < (xj - xi) * (lat - yi) / (yj - yi) + xi:
            hit = not hit
        j = i
    return hit


def _district_of(lon: float, lat: float) -> str | None:
    for name, ring in _districts():
        xs = [x for x, _ in ring]
        ys = [y for _, y in ring]
        if min(xs) <= lon <= max(xs) and min(ys) <= lat <= max(ys) and _inside(lon, lat, ring):
            return name
    return None


def point_map(points: Sequence[tuple[float, float]]) -> PointMap | None:
    """Return the map of (latitude, longitude) points, or None when none is valid."""
    valid = [(la, lo) for la, lo in points if -90 <= la <= 90 and -180 <= lo <= 180]
    if not valid:
        return None
    south, north = min(p[0] for p in valid), max(p[0] for p in valid)
    west, east = min(p[1] for p in valid), max(p[1] for p in valid)
    pad_lat = max((north - south) * 0.08, 0.01)
    pad_lon = max((east - west) * 0.08, 0.01)
    south, north, west, east = south - pad_lat, north + pad_lat, west - pad_lon, east + pad_lon
    scale = WIDTH / ((east - west) * _COS)
    height = (north - south) * scale
    if height > MAX_HEIGHT:  # tall: keep the height, widen the longitude span
        scale = MAX_HEIGHT / (north - south)
        middle = (east + west) / 2
        half = WIDTH / scale / _COS / 2
        west, east, height = middle - half, middle + half, MAX_HEIGHT
    elif height < MIN_HEIGHT:  # flat: widen the latitude span
        middle = (north + south) / 2
        half = MIN_HEIGHT / scale / 2
        south, north, height = middle - half, middle + half, MIN_HEIGHT

    def xy(lat: float, lon: float) -> tuple[float, float]:
        return round((lon - west) * _COS * scale, 1), round((north - lat) * scale, 1)

    shapes = []
    for name, ring in _districts():
        projected = [xy(lat, lon) for lon, lat in ring]
        path = "M" + "L".join(f"{x} {y}" for x, y in projected) + "Z"
        xs, ys = [p[0] for p in projected], [p[1] for p in projected]
        cx, cy = sum(xs[:-1]) / (len(xs) - 1), sum(ys[:-1]) / (len(ys) - 1)
        big = max(xs) - min(xs) > 70 and max(ys) - min(ys) > 24
        visible = 0 < cx < WIDTH and 0 < cy < height
        box_w, box_h = round(max(xs) - min(xs), 1), round(max(ys) - min(ys), 1)
        shapes.append(
            MapShape(name, path, round(cx, 1), round(cy, 1), big and visible, box_w, box_h, visible)
        )
    districts = Counter(_district_of(lon, lat) for lat, lon in valid)
    outside = districts.pop(None, 0)
    return PointMap(
        width=WIDTH,
        height=round(height),
        shapes=tuple(shapes),
        points_path="".join(f"M{x} {y}h0" for x, y in sorted({xy(la, lo) for la, lo in valid})),
        count=len(valid),
        by_district=tuple((str(n), c) for n, c in districts.most_common()),
        outside=outside,
    )
