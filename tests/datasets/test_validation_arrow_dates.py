"""The Arrow engine's date check read on the bytes (issue 24) clears exactly the cells of
the form YYYY-MM-DD that name a real day, as the regular expression and the casts did:
a cell it clears wrongly would hide an error Frictionless reports."""

from __future__ import annotations

import random
import re
from datetime import date

import pyarrow as pa
import pytest

from datasets.validation.arrow_checks import _date_check

_FORM = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _clean(value: str) -> bool:
    if _FORM.fullmatch(value) is None or "\n" in value:
        return False
    try:
        date(int(value[:4]), int(value[5:7]), int(value[8:10]))
    except ValueError:
        return False
    return True


ODD = [
    "2023-02-30",
    "2024-02-29",
    "2023-02-29",
    "1900-02-29",
    "2000-02-29",
    "0000-01-01",
    "2023-13-01",
    "2023-00-10",
    "2023-04-31",
    "2023-12-00",
    "2023/01/01",
    "2023-1-011",
    "20230-1-01",
    "2023 01 01",
    "abcd-ef-gh",
    "2023-01-0a",
    "-023-01-01",
    "2023--01-01",
    "2023-01-01\n",
    " 2023-01-01",
    "2023-01-01 ",
    "",
    "2023-01-1",
    "ngày 1/1",
    "２０２３-01-01",
    "2023-01-０1",
    "9999-12-31",
    "0001-01-01",
    "2023-0:-01",
    "2:23-01-01",
    "2023-01-1/",
    "2023-1;-01",
    "2023+01-01",
]


@pytest.mark.parametrize("width", ["all ten bytes", "mixed"])
def test_the_byte_date_check_clears_what_the_rule_clears(width: str) -> None:
    rnd = random.Random(8)
    values = [
        f"{rnd.randrange(0, 10000):04d}-{rnd.randrange(0, 14):02d}-{rnd.randrange(0, 33):02d}"
        for _ in range(20_000)
    ]
    odd = ODD if width == "mixed" else [v for v in ODD if len(v.encode()) == 10]
    for value in odd:
        values.insert(rnd.randrange(len(values)), value)
    array = pa.array(values, type=pa.string())
    for column in (array, array.slice(3), array.slice(0, 17), array.slice(5, 0)):
        bad, _ = _date_check(column)
        expected = [not _clean(v) for v in column.to_pylist()]
        assert bad.tolist() == expected
    assert 0 < sum(_clean(v) for v in values) < len(values)
