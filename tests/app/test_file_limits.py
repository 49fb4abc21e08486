"""Files that must fail fast, alone: each upload ends ready or failed with a clear reason."""

from __future__ import annotations

import time
from typing import Any

import pytest

from datasets.ingest import MAX_COLUMNS, MAX_ROW_CHARS
from publishers import Role
from tests.factories import PASSWORD, actor, make_dataset, make_org, make_user, upload_bytes


class Uploaded:
    """One upload processed by the real pipeline, and how long it took."""

    def __init__(self, version: Any, seconds: float, dataset: str, user: str) -> None:
        self.version, self.seconds, self.dataset, self.user = version, seconds, dataset, user


def _upload(services, data: bytes, filename: str = "data.csv") -> Uploaded:
    from datasets.model import ResourceVersion

    org = make_org(services)
    user = make_user(services, org, Role.PUBLISHER)
    publisher = actor(services, user)
    dataset = make_dataset(services, publisher, org)
    started = time.monotonic()
    resource_id = upload_bytes(services, publisher, dataset.name, data, filename)
    seconds = time.monotonic() - started
    with services.sessions() as session:
        version = (
            session.query(ResourceVersion)
            .filter_by(resource_id=resource_id)
            .order_by(ResourceVersion.created.desc())
            .first()
        )
        session.expunge_all()
    return Uploaded(version, seconds, dataset.name, user.name)


def _page(client, auth, uploaded: Uploaded) -> str:
    client.set_cookie("lang", "en")
    auth.login(uploaded.user, PASSWORD)
    return client.get(f"/dataset/{uploaded.dataset}/manage").get_data(as_text=True)


LONG_ROW = b"ma,ghi_chu\n1," + b"x," * (1024 * 1024) + b"\n2,y\n"  # a 2 MiB line
NAMED_HEADER = b",".join([b"a"] * 1_000_000) + b"\n1\n"  # a million named columns
EMPTY_HEADER = b"," * 999_999 + b"\n1\n"  # a million columns in 1 MB


@pytest.mark.parametrize(
    ("data", "code", "params", "shown"),
    [
        (
            LONG_ROW,
            "row-too-long",
            {"row": 2, "limit": MAX_ROW_CHARS},
            "Row 2 is longer than 1,048,576 characters, the most one row may hold",
        ),
        (
            NAMED_HEADER,
            "row-too-long",
            {"row": 1, "limit": MAX_ROW_CHARS},
            "Row 1 is longer than 1,048,576 characters",
        ),
        (
            EMPTY_HEADER,
            "too-many-columns",
            {"row": 1, "columns": 1_000_000, "limit": MAX_COLUMNS},
            "Row 1 has 1,000,000 cells; a table may have at most 16,384 columns.",
        ),
    ],
    ids=["2-mib-line", "million-named-columns", "million-empty-columns"],
)
def test_an_overlong_row_fails_its_file_within_seconds(
    services, client, auth, data: bytes, code: str, params: dict[str, int], shown: str
) -> None:
    uploaded = _upload(services, data)
    version = uploaded.version
    assert (version.status, version.error_code, version.error_params) == ("failed", code, params)
    assert uploaded.seconds < 15, uploaded.seconds  # was: never finished
    assert version.public_sha256 is None and version.normalized_key is None
    assert shown in _page(client, auth, uploaded)


def test_a_long_row_under_the_limit_is_published_whole(services) -> None:
    # 10 cells of 100,000 "ư" (2 bytes each): one line of 2 MB, over the 1 MiB read chunk.
    cells = ["ư" * 100_000 + str(i) for i in range(10)]
    header = ",".join(f"cot_{i}" for i in range(10))
    data = f"{header}\n{','.join(cells)}\n{','.join(['1'] * 10)}\n".encode()
    uploaded = _upload(services, data)
    version = uploaded.version
    assert (version.status, version.error_code, version.row_count) == ("ready", None, 2)
    assert uploaded.seconds < 30, uploaded.seconds
    body = services.public_store.local_path(version.public_sha256).read_text(encoding="utf-8")
    assert body.splitlines()[1].split(",") == cells


def _report_page(client, auth, uploaded: Uploaded) -> str:
    _page(client, auth, uploaded)
    url = f"/dataset/{uploaded.dataset}/resource/{uploaded.version.resource_id}/report"
    return client.get(url).get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "params", "report_rows", "shown"),
    [
        (
            b"ma,ten\n1,2,3\n4,5\n",
            {"row": 2, "cells": 3, "header": 2, "comment": False},
            [2],
            "Row 2 has 3 cells but the first row names only 2 columns.",
        ),
        (
            "# Danh sách điểm Wi-Fi\nma,ten\n1,Bến Thành\n".encode(),
            {"row": 2, "cells": 2, "header": 1, "comment": True},
            [2, 3],
            "The first line looks like a comment (it starts with #)",
        ),
        (  # a spreadsheet export that ends one row with a separator: an empty extra cell
            "ma;ten\n1;Bến Thành\n2;Chợ Lớn;\n".encode(),
            {"row": 3, "cells": 3, "header": 2, "comment": False},
            [3],
            "Row 3 has 3 cells but the first row names only 2 columns.",
        ),
    ],
    ids=["row-longer-than-header", "comment-line", "trailing-delimiter"],
)
def test_rows_longer_than_the_header_fail_as_the_report_says(
    services, client, auth, data: bytes, params: dict[str, Any], report_rows: list[int], shown: str
) -> None:
    uploaded = _upload(services, data)
    version = uploaded.version
    # Was: a correct report, then "internal" from the stripping step.
    assert (version.status, version.error_code, version.error_params) == (
        "failed",
        "extra-cells",
        params,
    )
    extra = [e for e in version.validation["errors"] if e["code"] == "extra-cell"]
    assert [e["row"] for e in extra] == report_rows and extra[0]["row"] == params["row"]
    assert version.public_sha256 is None
    page = _report_page(client, auth, uploaded)
    assert shown in page and "extra-cell" in page


def test_an_unexpected_error_fails_the_file_with_a_reference_and_no_detail(
    services, client, auth, monkeypatch, caplog
) -> None:
    import datasets.validation

    def broken(path):
        raise RuntimeError("secret detail /srv/opendata/keys")

    # Fault injection: a defect in one step of processing.
    # (table_analysis imports it from datasets.validation when it analyses a table.)
    monkeypatch.setattr(datasets.validation, "infer_schema", broken)
    with caplog.at_level("ERROR", logger="datasets.processing"):
        uploaded = _upload(services, b"ma,ten\n1,An\n")
    version = uploaded.version
    assert (version.status, version.error_code) == ("failed", "processing-failed")
    reference = version.error_params["reference"]
    assert len(reference) == 12 and version.error_params == {"reference": reference}
    logged = [r for r in caplog.records if getattr(r, "reference", None) == reference]
    assert logged and "secret detail" in logged[0].exc_text  # the traceback is in the log
    page = _page(client, auth, uploaded)
    assert f"quoting reference {reference}" in page and "secret detail" not in page


def _public_bytes(services, version) -> bytes:
    path = services.public_store.local_path(version.public_sha256)
    assert path is not None
    return path.read_bytes()


def test_a_carriage_return_inside_a_quoted_cell_round_trips(services, tmp_path) -> None:
    import csv

    from frictionless import Resource

    data = 'ma,ghi_chu\n1,"dòng một\rdòng hai"\n2,"a\r\nb"\n3,c\n'.encode()
    uploaded = _upload(services, data)
    version = uploaded.version
    assert (version.status, version.row_count, version.validation["valid"]) == ("ready", 3, True)
    public = tmp_path / "public.csv"
    public.write_bytes(_public_bytes(services, version))
    expected = [["ma", "ghi_chu"], ["1", "dòng một\rdòng hai"], ["2", "a\r\nb"], ["3", "c"]]
    with public.open(encoding="utf-8", newline="") as handle:
        assert list(csv.reader(handle)) == expected  # was: the row split at "\r"
    with Resource(path=str(public), format="csv") as resource:
        assert [[str(c) for c in row.cells] for row in resource.read_rows()] == [
            ["1", "dòng một\rdòng hai"],
            ["2", "a\r\nb"],
            ["3", "c"],
        ]


MARKUP = {
    "one-line-html": (b"<!DOCTYPE html><html><body><p>a,b</p></body></html>", "HTML"),
    "html-no-doctype": (
        b"<html>\n<head><title>x</title></head>\n<body>a;b</body>\n</html>\n",
        "HTML",
    ),
    "one-line-svg": (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="9"><rect x="1"/></svg>',
        "SVG",
    ),
    "svg-declared": (
        b'\xef\xbb\xbf<?xml version="1.0"?>\n<!-- a,b -->\n<svg viewBox="0 0 9 9">\n</svg>\n',
        "SVG",
    ),
    "one-line-xml": (b'<?xml version="1.0" encoding="UTF-8"?><rows><r>1,2</r></rows>', "XML"),
    "xml-bom": (b"\xef\xbb\xbf<rows>\n<r>1,2</r>\n<r>3,4</r>\n</rows>\n", "XML"),
}


@pytest.mark.parametrize("name", list(MARKUP))
def test_markup_is_never_read_as_a_table(services, name: str) -> None:
    data, kind = MARKUP[name]
    uploaded = _upload(services, data, f"trang.{kind.lower()}")
    version = uploaded.version
    # Was: "CSV", tabular, with a header made of tag soup.
    assert (version.status, version.format, version.is_tabular) == ("ready", kind, False)
    assert version.validation is None and version.table_schema is None
    assert _public_bytes(services, version) == data


@pytest.mark.parametrize("name", ["one-line-html", "svg-declared", "xml-bom"])
def test_markup_named_as_csv_is_refused_with_its_reason(services, client, auth, name) -> None:
    data, kind = MARKUP[name]
    uploaded = _upload(services, data, "du-lieu.csv")
    version = uploaded.version
    assert (version.status, version.error_code, version.error_params) == (
        "failed",
        "markup-not-table",
        {"format": kind, "extension": ".csv"},
    )
    assert version.public_sha256 is None and version.validation is None
    assert f"The file is named .csv but holds {kind}" in _page(client, auth, uploaded)
