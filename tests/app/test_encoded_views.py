"""``EncodedViews``: an answer is reused only for the very view and context it was built from,
within a byte bound; ``Encoded`` parts go through ``json_response`` as they are."""

from __future__ import annotations

import dataclasses
import gc
import json
import math
from datetime import UTC, datetime
from typing import Any

from flask import Flask, jsonify

from app.encoded_views import EncodedViews, as_dict
from app.fast_json import Encoded, encode, json_response
from datasets.public import PublicDataset, PublicOrganization

MOMENT = datetime(2026, 12, 7, 8, 30, tzinfo=UTC)
ORG = PublicOrganization("o1", "so-xay-dung", "Sở Xây dựng", "Construction", "", "", "")


def _view(number: int, title: str = "Công trình") -> PublicDataset:
    return PublicDataset(
        id=f"d{number}",
        name=f"cong-trinh-{number}",
        title=f"{title} {number}",
        title_en="",
        description="",
        description_en="",
        organization=ORG,
        tags=("xây dựng",),
        themes=(),
        license_id="cc-by-4.0",
        license_title="",
        license_url="",
        contact_email="",
        temporal_start=None,
        temporal_end=None,
        spatial="",
        frequency="",
        created=MOMENT,
        modified=MOMENT,
        issued=MOMENT,
        resources=(),
    )


class Builder:
    """Builds a small package dict from a view, counting its calls."""

    def __init__(self, suffix: str = "") -> None:
        self.calls = 0
        self.suffix = suffix

    def __call__(self, view: PublicDataset) -> dict[str, Any]:
        self.calls += 1
        return {"name": view.name, "title": view.title + self.suffix, "n": None}


def _names(items: list[Encoded | dict[str, Any]]) -> list[str]:
    return [as_dict(i)["title"] for i in items]


def test_an_answer_is_reused_only_for_the_same_view_and_context() -> None:
    cache, build = EncodedViews(), Builder()
    views = [_view(1), _view(2)]
    first = cache.items("ckan", views, ("site-a",), build)
    assert _names(first) == ["Công trình 1", "Công trình 2"] and build.calls == 2
    again = cache.items("ckan", views, ("site-a",), build)
    assert all(isinstance(i, Encoded) for i in again) and build.calls == 2
    assert again == first
    # A new view of the same dataset (the catalog builds one whenever its stamp moves), even
    # one equal to the old, is built again; so is everything in another context or kind.
    edited = dataclasses.replace(views[0], title="Công trình đã sửa 1")
    assert _names(cache.items("ckan", [edited, views[1]], ("site-a",), build)) == [
        "Công trình đã sửa 1",
        "Công trình 2",
    ]
    assert build.calls == 3
    other = Builder(" (B)")
    assert _names(cache.items("ckan", [edited], ("site-b",), other)) == ["Công trình đã sửa 1 (B)"]
    assert _names(cache.items("rest", [edited], ("site-a",), other)) == ["Công trình đã sửa 1 (B)"]
    assert other.calls == 2


def test_a_forgotten_view_is_not_kept_alive_and_its_entry_is_not_reused() -> None:
    cache, build = EncodedViews(), Builder()
    view = _view(1)
    cache.items("ckan", [view], (), build)
    del view
    gc.collect()
    fresh = _view(1, title="Mới")
    assert _names(cache.items("ckan", [fresh], (), build)) == ["Mới 1"] and build.calls == 2


def test_memory_is_bounded_in_bytes() -> None:
    cache, build = EncodedViews(max_bytes=1000), Builder()
    views = [_view(n) for n in range(20)]  # about 60 bytes + 300 of overhead each
    cache.items("ckan", views, (), build)
    assert build.calls == 20
    cache.items("ckan", views[-2:], (), build)
    assert build.calls == 20  # the most recent are still there
    cache.items("ckan", views[:2], (), build)
    assert build.calls == 22  # the oldest went


def test_a_value_only_jsonify_writes_alike_stays_a_dict(app: Flask) -> None:
    cache = EncodedViews()
    odd = cache.items("ckan", [_view(1)], (), lambda v: {"x": float("nan")})
    assert isinstance(odd[0], dict) and math.isnan(odd[0]["x"])
    assert encode({"when": MOMENT}) is None and encode({"x": float("inf")}) is None
    with app.app_context():
        answer = json_response({"items": odd}).get_data()
        assert answer == jsonify({"items": odd}).get_data() and b"NaN" in answer


def test_encoded_parts_answer_what_the_plain_body_answers(app: Flask) -> None:
    parts = [{"tên": "Quận 1", "b": [1, None], "a": 2.5}, {"z": {"y": "ư", "x": True}}]
    encoded = [encode(p) for p in parts]
    assert all(isinstance(e, Encoded) for e in encoded)
    with app.app_context():
        mixed = json_response({"results": [encoded[0], parts[1]], "count": 2}).get_data()
        plain = json_response({"results": parts, "count": 2}).get_data()
        assert mixed == plain  # byte for byte: keys sorted inside the parts too
        assert json.loads(jsonify({"results": parts, "count": 2}).get_data()) == json.loads(mixed)
        # Whatever sends the body through jsonify decodes the parts first.
        with_date = {"results": encoded, "when": datetime(2026, 12, 7)}
        assert json.loads(json_response(with_date).get_data())["results"] == parts
    app.debug = True  # jsonify indents: the parts are decoded and indented too
    try:
        with app.app_context():
            indented = json_response({"results": encoded}).get_data(as_text=True)
    finally:
        app.debug = False
    assert json.loads(indented) == {"results": parts} and '\n  "results": [\n' in indented
