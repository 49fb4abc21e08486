"""The walking skeleton end to end: CLI accounts, web form, upload, review, publication."""

from __future__ import annotations

import hashlib
import io
import re

from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from app.cli import main
from tests.conftest import csrf_from
from tests.factories import PASSWORD

CSV = (
    "ma_diem,ten_diem,phuong_xa,quan_huyen,vi_do,kinh_do,trang_thai\n"
    "WF0001,HCMC_FreeWiFi_Bến Thành,Phường Bến Thành,Quận 1,10.7722,106.6980,Hoạt động\n"
    "WF0002,HCMC_FreeWiFi_Nguyễn Huệ,Phường Bến Nghé,Quận 1,10.7740,106.7035,Hoạt động\n"
    "WF0003,HCMC_FreeWiFi_Thảo Điền,Phường Thảo Điền,Thành phố Thủ Đức,10.8030,106.7330,Bảo trì\n"
).encode()
TITLE = "Điểm phát Wi-Fi công cộng đường phố"


def _cli(settings, *args: str) -> str:
    env = {"OPENDATA_DATA_DIR": str(settings.data_dir), "DATABASE_URL": settings.database_url}
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_publish_through_the_web_form_end_to_end(settings, services, client, auth) -> None:
    # A sysadmin creates the organization and its two members from the command line.
    _cli(
        settings,
        "org",
        "create",
        "so-tttt",
        "--title",
        "Sở Thông tin và Truyền thông",
        "--email",
        "stttt@tphcm.gov.vn.example",
    )
    _cli(
        settings,
        "user",
        "create",
        "lan",
        "--email",
        "lan@example.org",
        "--password",
        PASSWORD,
        "--org",
        "so-tttt",
        "--role",
        "publisher",
    )
    _cli(
        settings,
        "user",
        "create",
        "minh",
        "--email",
        "minh@example.org",
        "--password",
        PASSWORD,
        "--org",
        "so-tttt",
        "--role",
        "steward",
    )
    org = services.accounts.get_organization("so-tttt")

    # The publisher signs in and creates the dataset through the form.
    assert auth.login("lan", PASSWORD).status_code == 302
    token = csrf_from(client, "/dataset/new")
    created = client.post(
        "/dataset/new",
        data={
            "csrf_token": token,
            "organization_id": org.id,
            "title_vi": TITLE,
            "title_en": "Public Wi-Fi points",
            "description_vi": "Các điểm Wi-Fi miễn phí.",
            "tags": "wifi, internet",
            "license_id": "cc-by-4.0",
            "frequency": "MONTHLY",
        },
    )
    assert created.status_code == 302
    manage_url = created.headers["Location"]
    assert manage_url.endswith("/dataset/diem-phat-wi-fi-cong-cong-duong-pho/manage")

    # Upload a CSV; it is streamed, hashed, validated and scanned.
    token = csrf_from(client, manage_url)
    uploaded = client.post(
        "/dataset/diem-phat-wi-fi-cong-cong-duong-pho/resources",
        data={"csrf_token": token, "file": (io.BytesIO(CSV), "wifi.csv"), "name": "Điểm Wi-Fi"},
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 302
    page = client.get(manage_url).get_data(as_text=True)
    assert "Điểm Wi-Fi" in page and "UTF-8" in page.upper()
    assert "Bảng dữ liệu hợp lệ" in page  # the validation report says the table is valid

    token = csrf_from(client, manage_url)
    submitted = client.post(
        "/dataset/diem-phat-wi-fi-cong-cong-duong-pho/submit", data={"csrf_token": token}
    )
    assert submitted.status_code == 302
    assert client.get("/dataset/diem-phat-wi-fi-cong-cong-duong-pho").status_code == 302
    auth.logout()

    # The steward approves; the dataset is published.
    auth.login("minh", PASSWORD)
    review = client.get("/review").get_data(as_text=True)
    assert TITLE in review
    token = csrf_from(client, manage_url)
    assert (
        client.post(
            "/dataset/diem-phat-wi-fi-cong-cong-duong-pho/approve", data={"csrf_token": token}
        ).status_code
        == 302
    )
    auth.logout()

    # The public sees it on the home page and finds it without accents.
    assert TITLE in client.get("/").get_data(as_text=True)
    results = client.get("/dataset?q=wi-fi+cong+cong+duong+pho").get_data(as_text=True)
    assert TITLE in results

    page = client.get("/dataset/diem-phat-wi-fi-cong-cong-duong-pho").get_data(as_text=True)
    assert "HCMC_FreeWiFi_Thảo Điền" in page  # the preview shows the table
    shown = re.search(r"SHA-256: <code>([0-9a-f]{64})</code>", page)
    assert shown
    link = re.search(
        r'href="(/dataset/diem-phat-wi-fi-cong-cong-duong-pho/resource/[^"]+'
        r'/download/wifi\.csv)"',
        page,
    )
    assert link
    download = client.get(link.group(1))
    assert download.status_code == 200
    assert hashlib.sha256(download.data).hexdigest() == shown.group(1)
    assert download.data.decode("utf-8").splitlines() == CSV.decode().splitlines()

    # Range requests and conditional GETs work on the same file.
    partial = client.get(link.group(1), headers={"Range": "bytes=0-9"})
    assert partial.status_code == 206 and partial.data == download.data[:10]
    cached = client.get(link.group(1), headers={"If-None-Match": f'"{shown.group(1)}"'})
    assert cached.status_code == 304

    # The DCAT record carries the dataset's titles in both languages.
    ttl = client.get("/dataset/diem-phat-wi-fi-cong-cong-duong-pho.ttl")
    assert ttl.mimetype == "text/turtle"
    graph = Graph().parse(data=ttl.get_data(as_text=True), format="turtle")
    view = services.catalog.get("diem-phat-wi-fi-cong-cong-duong-pho")
    subject = URIRef(f"{settings.site_url}/dataset/{view.id}")
    assert (subject, DCTERMS.title, Literal(TITLE, lang="vi")) in graph
    assert (subject, DCTERMS.title, Literal("Public Wi-Fi points", lang="en")) in graph


def test_drafts_are_invisible_to_the_public(services, client) -> None:
    from publishers import Role
    from tests.factories import actor, make_dataset, make_org, make_user

    org = make_org(services)
    publisher = actor(services, make_user(services, org, Role.PUBLISHER))
    draft = make_dataset(services, publisher, org, title="Bản nháp bí mật")
    response = client.get(f"/dataset/{draft.name}", follow_redirects=True)
    assert response.status_code == 404
    assert "Bản nháp bí mật" not in response.get_data(as_text=True)
    assert client.get(f"/dataset/{draft.name}.ttl").status_code == 404


def test_forged_csrf_token_is_refused(services, client, auth) -> None:
    from tests.factories import make_user

    make_user(services, name="khach")
    auth.login("khach", PASSWORD)
    response = client.post("/dataset/new", data={"csrf_token": "forged", "title_vi": "X"})
    assert response.status_code == 400
    assert "X" not in [d.name for d in services.workflow.datasets_of(frozenset({"x"}))]


def test_upload_over_the_limit_is_413_with_a_clear_message(services, client, auth) -> None:
    from publishers import Role
    from tests.factories import actor, make_dataset, make_org, make_user

    org = make_org(services)
    info = make_user(services, org, Role.PUBLISHER, name="big")
    dataset = make_dataset(services, actor(services, info), org)
    auth.login("big", PASSWORD)
    token = csrf_from(client, f"/dataset/{dataset.name}/manage")
    big = io.BytesIO(b"a,b\n" + b"1,2\n" * (6 * 1024 * 1024 // 4))
    response = client.post(
        f"/dataset/{dataset.name}/resources",
        data={"csrf_token": token, "file": (big, "big.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert "5 MB" in response.get_data(as_text=True)
