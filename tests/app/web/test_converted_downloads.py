"""Converted downloads (SPEC §4 Downloads): data.csv → data.xlsx, data.parquet, data.json."""

from __future__ import annotations

import csv
import io
import json

import pyarrow.parquet as pq
from openpyxl import load_workbook

from tests.factories import publish_sample

FORMULAS = (
    'ma,ten,so_luong\nA1,=HYPERLINK("http://evil.example"),3\nA2,Chợ Bến Thành,-5\n'
).encode()


def test_conversions_are_served_next_to_the_original(client, services) -> None:
    dataset, rid, _p, _s = publish_sample(services, data=FORMULAS)
    base = f"/dataset/{dataset.name}/resource/{rid}/download"
    original = client.get(f"{base}/data.csv")
    # The published file keeps its cells as they are: never escaped.
    published = list(csv.reader(io.StringIO(original.get_data().decode())))
    assert published == list(csv.reader(io.StringIO(FORMULAS.decode())))

    xlsx = client.get(f"{base}/data.xlsx")
    assert xlsx.status_code == 200 and xlsx.mimetype.endswith("spreadsheetml.sheet")
    rows = [
        [c.value for c in r] for r in load_workbook(io.BytesIO(xlsx.get_data())).active.iter_rows()
    ]
    assert rows == [
        ["ma", "ten", "so_luong"],
        ["A1", '\'=HYPERLINK("http://evil.example")', 3],
        ["A2", "Chợ Bến Thành", -5],
    ]

    as_json = json.loads(client.get(f"{base}/data.json").get_data())
    assert as_json[1] == {"ma": "A2", "ten": "Chợ Bến Thành", "so_luong": -5}
    table = pq.read_table(io.BytesIO(client.get(f"{base}/data.parquet").get_data()))
    assert table.column("so_luong").to_pylist() == [3, -5]

    cached = sorted(p.name for p in (services.settings.data_dir / "conversions").glob("*.*"))
    sha = original.headers["X-Content-SHA256"]
    assert f"{sha}.xlsx" in cached and f"{sha}.parquet" in cached and f"{sha}.json" in cached


def test_conversions_support_range_etag_and_last_modified(client, services) -> None:
    dataset, rid, _p, _s = publish_sample(services)
    url = f"/dataset/{dataset.name}/resource/{rid}/download/data.json"
    whole = client.get(url)
    assert whole.headers["Last-Modified"] and whole.headers["ETag"].endswith('-json"')
    part = client.get(url, headers={"Range": "bytes=0-9"})
    assert part.status_code == 206 and part.get_data() == whole.get_data()[:10]
    assert part.headers["Content-Range"] == f"bytes 0-9/{len(whole.get_data())}"
    same = client.get(url, headers={"If-None-Match": whole.headers["ETag"]})
    assert same.status_code == 304


def test_other_extensions_still_redirect_to_the_original(client, services) -> None:
    dataset, rid, _p, _s = publish_sample(services)
    response = client.get(f"/dataset/{dataset.name}/resource/{rid}/download/data.pdf")
    assert response.status_code == 301 and response.headers["Location"].endswith("/data.csv")
    other_stem = client.get(f"/dataset/{dataset.name}/resource/{rid}/download/other.xlsx")
    assert other_stem.status_code == 301
