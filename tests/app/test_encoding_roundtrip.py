"""Every Vietnamese character survives each accepted encoding, up to the published CSV.

Real files are written in each encoding (Windows-1258 with its decomposed tone marks, UTF-16
with its BOM, an XLSX workbook), published through the whole pipeline, downloaded from the
public URL and compared character by character with the NFC text.
"""

from __future__ import annotations

import csv
import io
import unicodedata

import pytest
from openpyxl import Workbook

from publishers import Role
from tests.factories import actor, make_dataset, make_org, make_user, upload_bytes
from tests.vietnamese_files import to_cp1258

_VOWELS = "aăâeêioôơuưyAĂÂEÊIOÔƠUƯY"
_TONES = ("", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323")
# Every vowel with every tone (NFC), plus đ/Đ: all letters of Vietnamese.
ALL_LETTERS = "".join(unicodedata.normalize("NFC", v + t) for v in _VOWELS for t in _TONES) + "đĐ"
ROWS = [
    ["ma", "ten", "ghi_chu"],
    ["1", "Đường Nguyễn Thị Minh Khai", ALL_LETTERS[:80]],
    ["2", "Phường Bến Nghé, Quận 1", ALL_LETTERS[80:]],
    ["3", "Thành phố Thủ Đức", "Hẻm 42/7 – “ngoặc kép”, dấu phẩy"],
]
WESTERN_ROWS = [["ma", "ten"], ["1", "Café Sài Gòn – crème brûlée"], ["2", "Gòn Çà Öl €"]]


def _csv_text(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def _xlsx(rows: list[list[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Dữ liệu"
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


FILES = {
    "utf-8": (lambda: _csv_text(ROWS).encode("utf-8"), "du-lieu.csv", ROWS),
    "utf-8-sig": (lambda: _csv_text(ROWS).encode("utf-8-sig"), "du-lieu.csv", ROWS),
    "utf-16": (lambda: _csv_text(ROWS).encode("utf-16"), "du-lieu.csv", ROWS),
    "utf-8-nfd": (
        lambda: unicodedata.normalize("NFD", _csv_text(ROWS)).encode("utf-8"),
        "du-lieu.csv",
        ROWS,
    ),
    "cp1258": (lambda: to_cp1258(_csv_text(ROWS)), "du-lieu.csv", ROWS),
    "cp1252": (lambda: _csv_text(WESTERN_ROWS).encode("cp1252"), "western.csv", WESTERN_ROWS),
    "tsv-utf-8": (
        lambda: "\r\n".join("\t".join(r) for r in ROWS).encode("utf-8"),
        "du-lieu.tsv",
        ROWS,
    ),
    "xlsx": (lambda: _xlsx(ROWS), "du-lieu.xlsx", ROWS),
}


def test_cp1258_file_really_holds_decomposed_tones() -> None:
    raw = to_cp1258("Nguyễn")
    assert raw.decode("cp1258") != "Nguyễn"  # decomposed on disk
    assert unicodedata.normalize("NFC", raw.decode("cp1258")) == "Nguyễn"


@pytest.mark.parametrize("encoding", sorted(FILES))
def test_published_csv_round_trips_every_character(services, client, encoding: str) -> None:
    make, filename, rows = FILES[encoding]
    org = make_org(services)
    publisher = actor(services, make_user(services, org, Role.PUBLISHER))
    steward = actor(services, make_user(services, org, Role.STEWARD))
    dataset = make_dataset(services, publisher, org, title=f"Chữ tiếng Việt {encoding}")
    resource_id = upload_bytes(services, publisher, dataset.name, make(), filename=filename)
    services.workflow.submit(publisher, dataset.name)
    services.workflow.approve(steward, dataset.name)

    view = services.catalog.get(dataset.name)
    resource = next(r for r in view.resources if r.id == resource_id)
    stem = filename.rsplit(".", 1)[0]
    download = client.get(f"/dataset/{dataset.name}/resource/{resource_id}/download/{stem}.csv")
    assert download.status_code == 200, resource
    text = download.data.decode("utf-8")
    assert text == unicodedata.normalize("NFC", text)
    assert list(csv.reader(io.StringIO(text))) == rows
    if rows is ROWS:
        assert all(letter in text for letter in ALL_LETTERS)
    page = client.get(f"/dataset/{dataset.name}").get_data(as_text=True)
    assert rows[1][1] in page  # the preview on the public page shows the same text
