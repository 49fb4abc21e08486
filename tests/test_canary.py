"""The privacy promise, end to end: planted personal data appears on no public surface.

A table with unique fake values of every kind of personal data (and some inside a free-text
column) goes through the whole pipeline: upload, detection, the organization's default
policy (plus a steward's decision for anything the policy leaves open), review, publication,
datastore, search index. Then every public surface is crawled, and the captured logs read,
looking for any canary value, in its written form and its digits-only form.

To cover a new public surface, add it to ``public_surfaces`` (surfaces whose blueprint is not
registered in this build are listed by ``missing_surfaces`` and skipped, never silently).
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import logging
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from datasets.personal.matchers import tax_check_digit
from publishers import Role
from tests.factories import actor, make_dataset, make_org, make_user, upload_bytes

ROWS = 30
# Rows with no personal value before the planted ones: the scan must read past them (it
# once read only the first 5,000 rows).
FILLER_ROWS = 5_100
PLACEHOLDERS = ["không có", "-", "N/A", ""]
FAMILY = ["Hoàng", "Lạc", "Khổng", "Tôn Nữ", "Mạc", "Âu Dương"]
MIDDLE = ["Thị Diệu", "Văn Khải", "Ngọc Thiên", "Minh Quỳnh", "Hữu Trác"]
GIVEN = ["Uyên", "Thạch", "Nhạn", "Khuê", "Vỹ", "Tường"]


@dataclass(frozen=True)
class Canary:
    """One planted value: its kind, the text written in the upload, and its digits."""

    kind: str
    text: str

    @property
    def digits(self) -> str:
        digits = re.sub(r"\D", "", self.text)
        return digits if len(digits) >= 9 else ""


def _row(i: int) -> tuple[dict[str, str], list[Canary]]:
    name = f"{FAMILY[i % 6]} {MIDDLE[i % 5]} {GIVEN[(i // 2) % 6]}"
    cccd = f"0790{80 + i % 20:02d}{314159 + i * 7919:06d}"
    phone = f"0903 {400 + i:03d} {700 + i:03d}"
    email = f"canary.nguoi{i}@thu-nghiem.vn"
    street = f"{17 + i} Đường Hoa Canary {i}"
    tax9 = f"83{2718281 + i * 31:07d}"
    tax = tax9 + str(tax_check_digit(tax9))
    social = f"79{31415926 + i * 13:08d}"
    health = f"DN479{2718281828 + i:010d}"
    plate = f"51F-{300 + i:03d}.{10 + i:02d}"
    bank = f"0071{100200300 + i * 17:09d}"
    birth = f"{1 + i % 28:02d}/{1 + i % 12:02d}/19{60 + i:02d}"
    text_phone = f"0912 {500 + i:03d} {600 + i:03d}"
    text_email = f"lienhe{i}.canary@mail-thu.vn"
    text_cccd = f"0791{70 + i % 20:02d}{271828 + i * 4099:06d}"
    text_birth = f"{1 + (i * 3) % 28:02d}/{1 + (i * 5) % 12:02d}/19{40 + i:02d}"
    note = (
        f"Liên hệ qua số {text_phone} hoặc email {text_email}; "
        f"giấy tờ CCCD {text_cccd}, người nhận sinh ngày {text_birth}. Yêu cầu đã xử lý."
    )
    # Diluted columns: a value in one row of three (or four), placeholders in the others.
    extra_phone = f"0987 {100 + i:03d} {200 + i:03d}"
    extra_email = f"phu.canary{i}@gmail.com"
    late_cccd = f"0792{40 + i % 20:02d}{161803 + i * 3571:06d}"
    row = {
        "ho_ten": name,
        "so_cccd": cccd,
        "so_dien_thoai": phone,
        "email": email,
        "dia_chi": f"{street}, Phường Bến Nghé, Quận 1",
        "ma_so_thue": tax,
        "so_bhxh": social,
        "ma_the_bhyt": health,
        "bien_so_xe": plate,
        "so_tai_khoan": bank,
        "ngay_sinh": birth,
        "ghi_chu": note,
        "quan": ["Quận 1", "Quận 3", "Quận 5"][i % 3],
        "so_luong": str(10 + i),
        "lien_he_phu": extra_phone if i % 3 == 0 else PLACEHOLDERS[i % 4],
        "cot_phu": extra_email if i % 4 == 0 else PLACEHOLDERS[i % 3],
        "giay_to_bo_sung": late_cccd,
    }
    canaries = [
        Canary("person_name", name),
        Canary("citizen_id", cccd),
        Canary("phone", phone),
        Canary("email", email),
        Canary("address", street),
        Canary("tax_code", tax),
        Canary("social_insurance", social),
        Canary("health_insurance", health),
        Canary("licence_plate", plate),
        Canary("bank_account", bank),
        Canary("date_of_birth", birth),
        Canary("free_text:phone", text_phone),
        Canary("free_text:email", text_email),
        Canary("free_text:citizen_id", text_cccd),
        Canary("free_text:date_of_birth", text_birth),
        Canary("citizen_id:late", late_cccd),
    ]
    if i % 3 == 0:
        canaries.append(Canary("phone:diluted", extra_phone))
    if i % 4 == 0:
        canaries.append(Canary("email:diluted", extra_email))
    return row, canaries


def canary_table() -> tuple[bytes, list[Canary]]:
    """Return the CSV upload and every value planted in it."""
    out = io.StringIO()
    rows = [_row(i) for i in range(ROWS)]
    writer = csv.DictWriter(out, fieldnames=list(rows[0][0]))
    writer.writeheader()
    filler = dict.fromkeys(rows[0][0], "")
    for i in range(FILLER_ROWS):
        writer.writerow({**filler, "quan": "Quận 10", "so_luong": str(i % 7)})
    writer.writerows(r for r, _c in rows)
    return out.getvalue().encode("utf-8"), [c for _r, cs in rows for c in cs]


def public_surfaces(name: str, dataset_id: str, resource_id: str, org: str) -> list[str]:
    """Every public URL of the published dataset (GET, anonymous)."""
    resource = f"/dataset/{name}/resource/{resource_id}"
    return [
        "/",
        "/dataset",
        f"/dataset?q={name}",
        "/dataset?q=Hoàng",
        "/dataset?q=0903",
        f"/dataset/{name}",
        f"/dataset/{dataset_id}",
        resource,
        f"{resource}/download/canary.csv",
        f"{resource}/download/canary.json",
        f"{resource}/download/canary.xlsx",
        f"{resource}/download/canary.parquet",
        "/organization",
        f"/organization/{org}",
        "/catalog.ttl",
        "/catalog.rdf",
        "/catalog.jsonld",
        "/catalog.nt",
        f"/dataset/{name}.ttl",
        f"/dataset/{name}.rdf",
        f"/dataset/{name}.jsonld",
        f"/dataset/{name}.nt",
        "/data.json",
        f"/dataset/{name}/datapackage.json",
        "/sitemap.xml",
        "/feeds/dataset.atom",
        "/api/v1/datasets",
        f"/api/v1/datasets/{name}",
        f"/api/v1/datasets?q={name}",
        f"/api/v1/datasets/{name}/resources/{resource_id}/records",
        f"/api/v1/datasets/{name}/resources/{resource_id}/records?_format=csv",
        f"/api/v1/datasets/{name}/resources/{resource_id}/records?_q=Hoàng",
        f"/api/v1/datasets/{name}/activity",
        "/api/v1/changes",
        f"/api/v1/datasets/{name}/changes",
        f"/api/v1/organizations/{org}",
        "/api/3/action/package_list",
        f"/api/3/action/package_show?id={name}",
        f"/api/3/action/package_search?q={name}",
        f"/api/3/action/resource_show?id={resource_id}",
        f"/api/3/action/datastore_search?resource_id={resource_id}",
        f"/api/3/action/datastore_search?resource_id={resource_id}&q=Hoàng",
        f"/api/3/action/package_activity_list?id={name}",
        "/api/3/action/recently_changed_packages_activity_list",
        f"/api/3/action/organization_show?id={org}",
        "/api/3/action/current_package_list_with_resources",
        "/api/3/action/status_show",
        "/api/3/action/tag_list",
        "/api/3/action/group_list",
        "/api/3/action/organization_list?all_fields=true",
        f'/api/3/action/datastore_search_sql?sql=SELECT * FROM "{resource_id}"',
        f"{resource}/download/canary.csv?download=1",
        f"/api/v1/datasets/{name}/resources/{resource_id}/records?_format=json",
        f"/api/v1/datasets/{name}/resources/{resource_id}/records?_format=xlsx",
        f"/api/v1/datasets/{name}/resources/{resource_id}/records?_format=parquet",
        f"/api/v1/datasets/{name}/resources/{resource_id}/validation",
        f"/api/v1/datasets/{name}/resources/{resource_id}/findings",
        "/api/v1/organizations",
        "/api/v1/openapi.json",
        "/catalog",
        "/group",
        "/robots.txt",
        f"/dataset/{name}/report",
        # Members-only pages, asked anonymously: they must not answer with data either.
        f"/dataset/{name}/manage",
        f"{resource}/report",
        f"{resource}/schema",
        f"{resource}/status.json",
        f"{resource}/original",
    ]


def missing_surfaces(app, urls: list[str]) -> list[str]:
    """Return the URLs no route of this build answers (their blueprint does not exist yet)."""
    adapter = app.url_map.bind("localhost")
    missing = []
    for url in urls:
        try:
            adapter.match(url.split("?", 1)[0], method="GET")
        except Exception:  # NotFound or MethodNotAllowed from werkzeug
            missing.append(url)
    return missing


def _texts(body: bytes, content_type: str) -> Iterator[str]:
    """Yield the text of a response however it is packed (XLSX, Parquet, JSON, text)."""
    if body[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            for member in archive.namelist():
                yield archive.read(member).decode("utf-8", "replace")
        return
    if body[:4] == b"PAR1":
        import pyarrow.parquet as pq

        yield json.dumps(pq.read_table(io.BytesIO(body)).to_pylist(), ensure_ascii=False)
        return
    text = body.decode("utf-8", "replace")
    yield text
    if "json" in content_type:  # escaped forms ("\u1ea1") read as characters too
        with contextlib.suppress(ValueError):
            yield json.dumps(json.loads(text), ensure_ascii=False)


def _leaks(text: str, canaries: list[Canary]) -> list[str]:
    digits = re.sub(r"\D", "", text)
    found = [f"{c.kind}: {c.text}" for c in canaries if c.text in text]
    found += [f"{c.kind} (digits): {c.digits}" for c in canaries if c.digits and c.digits in digits]
    return found


@pytest.fixture
def published_canary(services):
    """Publish the canary table through the whole pipeline; return what the test needs."""
    data, canaries = canary_table()
    org = make_org(services, name="so-canary")
    publisher = actor(services, make_user(services, org, Role.PUBLISHER))
    steward = actor(services, make_user(services, org, Role.STEWARD))
    dataset = make_dataset(services, publisher, org, title="Hồ sơ thử nghiệm canary")
    resource_id = upload_bytes(services, publisher, dataset.name, data, filename="canary.csv")
    from datasets.queries import get_dataset

    with services.sessions() as session:
        version = get_dataset(session, dataset.name).working_revision.entries[0].version
        findings = {f["column"]: f["kind"] for f in version.findings}
        decided = {d["column"] for d in version.decisions}
    open_columns = [c for c in findings if c not in decided]
    if open_columns:  # the steward decides what the policy leaves open
        services.editor.set_decisions(
            steward,
            dataset.name,
            resource_id,
            [{"column": c, "action": "drop", "justification": ""} for c in open_columns],
        )
    services.workflow.submit(publisher, dataset.name)
    services.workflow.approve(steward, dataset.name)
    return dataset, resource_id, org, canaries, findings


def test_every_planted_kind_is_found(published_canary) -> None:
    _dataset, _resource_id, _org, _canaries, findings = published_canary
    expected = {
        "ho_ten": "person_name",
        "so_cccd": "citizen_id",
        "so_dien_thoai": "phone",
        "email": "email",
        "dia_chi": "address",
        "ma_so_thue": "tax_code",
        "so_bhxh": "social_insurance",
        "ma_the_bhyt": "health_insurance",
        "bien_so_xe": "licence_plate",
        "so_tai_khoan": "bank_account",
        "ngay_sinh": "date_of_birth",
        "ghi_chu": "free_text",
        "lien_he_phu": "phone",
        "cot_phu": "email",
        "giay_to_bo_sung": "citizen_id",
    }
    assert {c: findings.get(c) for c in expected} == expected
    assert "quan" not in findings and "so_luong" not in findings


def test_the_leak_check_finds_every_canary_in_the_upload() -> None:
    data, canaries = canary_table()
    assert len(_leaks(data.decode("utf-8"), canaries)) >= len(canaries)
    # The digits-only form catches a value written differently (spaces, dots, dashes).
    assert _leaks("số 0903.400.700", canaries) == ["phone (digits): 0903400700"]


def test_no_canary_on_any_public_surface_or_in_the_logs(
    app, client, published_canary, caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    dataset, resource_id, org, canaries, _findings = published_canary
    urls = public_surfaces(dataset.name, dataset.id, resource_id, org.name)
    missing = set(missing_surfaces(app, urls))
    crawled = 0
    for url in urls:
        if url in missing:
            continue
        response = client.get(url, follow_redirects=True)
        assert response.status_code in (200, 401, 403, 404), (url, response.status_code)
        for text in _texts(response.data, response.content_type or ""):
            assert _leaks(text, canaries) == [], url
        crawled += 1
    assert crawled >= 60, f"only {crawled} surfaces crawled; missing routes: {sorted(missing)}"
    # The published table really is there (the crawl looked at real data, not empty pages).
    page = client.get(f"/dataset/{dataset.name}").get_data(as_text=True)
    assert "Quận 3" in page
    log_text = caplog.text + "\n".join(
        json.dumps(getattr(r, "__dict__", {}), default=str, ensure_ascii=False)
        for r in caplog.records
    )
    assert _leaks(log_text, canaries) == []
