"""``json_response`` answers what ``jsonify`` answers, and sends what orjson would write
otherwise through ``jsonify`` itself."""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask, jsonify

from app.fast_json import json_response

PLAIN = {
    "tên": "Phường Bến Nghé, Quận 1",
    "số": [0, -7, 2**63 - 1, -(2**63), 1.5, 0.1 + 0.2, 1e16, -0.0, 5e-324, None, True],
    "b": {"z": 1, "a": [{"y": "ư", "x": None}]},
    "id": uuid.UUID("c1f0e6d2-3b4a-4c5d-8e9f-0a1b2c3d4e5f"),
    "bytes_like": "G\x7f\xf0 is text, not a float",
}


def _both(app: Flask, body: Any) -> tuple[bytes, bytes]:
    with app.app_context():
        return json_response(body).get_data(), jsonify(body).get_data()


def test_a_plain_body_parses_to_what_jsonify_answers(app: Flask) -> None:
    fast, flask = _both(app, PLAIN)
    assert json.loads(fast) == json.loads(flask)
    assert fast.endswith(b"}\n") and b'": ' not in fast  # compact, one newline, like jsonify
    assert fast.index(b'"b"') < fast.index(b'"bytes_like"') < fast.index(b'"id"')  # sorted
    assert "Phường Bến Nghé".encode() in fast  # UTF-8, not \\u escapes
    with app.app_context():
        response = json_response(PLAIN)
    assert response.status_code == 200 and response.mimetype == "application/json"


@pytest.mark.parametrize(
    "odd",
    [
        float("nan"),
        float("inf"),
        -float("inf"),
        2**64,  # past 64 bits
        date(2026, 12, 7),  # Flask writes an HTTP date
        datetime(2026, 12, 7, 17, 30),
        Decimal("1.10"),
    ],
    ids=["nan", "inf", "-inf", "big-int", "date", "datetime", "decimal"],
)
def test_what_orjson_writes_otherwise_goes_through_jsonify(app: Flask, odd: Any) -> None:
    body = {"items": [{"a": 1, "b": None}, {"value": [odd]}], "tên": "Quận 3"}
    fast, flask = _both(app, body)
    assert fast == flask  # byte for byte: jsonify answered
    with app.app_context():
        assert json_response(body, finite=False).get_data() == flask


def test_keys_that_are_not_strings_go_through_jsonify(app: Flask) -> None:
    fast, flask = _both(app, {2: "hai", 1: "một"})
    assert fast == flask
