"""Server-side map and chart geometry."""

from __future__ import annotations

import pytest
from flask import Flask
from flask_babel import Babel

from app.web.charts import histogram_chart, top_chart
from app.web.maps import MAX_HEIGHT, WIDTH, coordinate_columns, point_map


def test_coordinate_columns_are_found_by_common_names() -> None:
    assert coordinate_columns(["ma", "vi_do", "kinh_do"]) == ("vi_do", "kinh_do")
    assert coordinate_columns(["Vĩ độ", "Kinh độ"]) == ("Vĩ độ", "Kinh độ")
    assert coordinate_columns(["LAT", "Lng"]) == ("LAT", "Lng")
    assert coordinate_columns(["latitude", "longitude"]) == ("latitude", "longitude")
    assert coordinate_columns(["lat", "ten"]) is None


def test_points_fit_the_map_and_are_counted_by_district() -> None:
    points = [(10.776, 106.700), (10.777, 106.701), (10.973, 106.493), (21.0, 105.8)]
    drawn = point_map([*points, (95.0, 106.0)])  # an impossible latitude is left out
    assert drawn is not None and drawn.count == 4
    assert drawn.width == WIDTH and drawn.height <= MAX_HEIGHT
    assert dict(drawn.by_district) == {"Quận 1": 2, "Huyện Củ Chi": 1}
    assert drawn.outside == 1  # Hà Nội lies outside every outline
    marks = drawn.points_path.removeprefix("M").removesuffix("h0").split("h0M")
    coords = [tuple(float(v) for v in mark.split(" ")) for mark in marks]
    assert len(coords) == 4
    assert all(0 <= x <= drawn.width + 1 and 0 <= y <= drawn.height + 1 for x, y in coords)


def test_each_outline_carries_its_box_for_labels_that_appear_on_zoom() -> None:
    drawn = point_map([(10.70, 106.60), (10.86, 106.72)])  # the city centre, wide
    assert drawn is not None
    shapes = {s.name: s for s in drawn.shapes}
    first = shapes["Quận 1"]
    xs = [float(p.split(" ")[0]) for p in first.path[1:-1].split("L")]
    assert first.box_width == pytest.approx(max(xs) - min(xs), abs=0.2)
    assert first.visible and 0 < first.label_x < drawn.width
    assert not shapes["Huyện Cần Giờ"].visible  # its centre lies outside this map
    assert all(s.visible for s in drawn.shapes if s.labelled)


def test_no_valid_point_no_map() -> None:
    assert point_map([]) is None
    assert point_map([(200.0, 500.0)]) is None


@pytest.fixture
def app_context():
    """A request context with Flask-Babel (labels are formatted in the request's locale)."""
    app = Flask(__name__)
    Babel(app, default_locale="en")
    with app.test_request_context("/"):
        yield


def test_histogram_bars_scale_to_the_largest_bin(app_context) -> None:
    column = {"kind": "number", "histogram": {"edges": [0, 5, 10, 15], "counts": [2, 8, 4]}}
    chart = histogram_chart(column)
    assert chart is not None and [b.count for b in chart.bars] == [2, 8, 4]
    assert max(b.h for b in chart.bars) == chart.height
    assert chart.bars[0].label == "0 – 5"


def test_one_bar_per_value_for_short_integer_ranges(app_context) -> None:
    column = {"kind": "number", "histogram": {"edges": [1, 2, 3, 4], "counts": [1, 1, 3]}}
    assert [b.label for b in histogram_chart(column).bars] == ["1", "2", "3"]


def test_top_values_skip_values_seen_once(app_context) -> None:
    column = {"count": 10, "top": [{"value": "A", "count": 6}, {"value": "B", "count": 1}]}
    chart = top_chart(column)
    assert chart is not None and [b.label for b in chart.bars] == ["A"]
    assert top_chart({"count": 2, "top": [{"value": "x", "count": 1}]}) is None
