"""The public dataset and resource pages: metadata, preview, statistics, map, downloads, API."""

from __future__ import annotations

import re
from html import unescape

from tests.factories import publish_sample

ROWS = "ma,ten,so,ngay,vi_do,kinh_do\n" + "".join(
    f"M{i:03d},Điểm {i:03d},{i},2024-01-{1 + i % 28:02d},"
    f"{10.70 + i / 1000:.4f},{106.65 + i / 1000:.4f}\n"
    for i in range(60)
)


def _text(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def _cells(html: str, column: int = 0) -> list[str]:
    rows = re.findall(r"<tr>(<td>.*?)</tr>", html)
    return [unescape(re.findall(r"<td>(.*?)</td>", row)[column]) for row in rows]


def test_dataset_page_shows_metadata_licence_and_activity(services, client) -> None:
    dataset, _rid, _pub, steward = publish_sample(services)
    html = _text(client, f"/dataset/{dataset.name}")
    assert "Creative Commons Attribution 4.0" in html
    assert "miễn là ghi nguồn" in html  # the licence's plain-language summary
    steward_name = services.accounts.get_user(steward.user_id).name
    assert re.search(rf"<strong>{steward_name}</strong> đã duyệt và công bố", html)
    assert f'href="/dataset/{dataset.name}/report"' in html
    assert "Từ điển dữ liệu" in html and "<code>so_cho</code>" in html


def test_preview_pages_and_sorts_without_javascript(services, client) -> None:
    dataset, rid, *_ = publish_sample(services, data=ROWS.encode())
    first = _text(client, f"/dataset/{dataset.name}")
    assert _cells(first)[:3] == ["M000", "M001", "M002"] and "dòng 1–10 trên 60" in first
    sort_link = re.search(rf'href="(/dataset/{dataset.name}\?r={rid}&amp;sort=so)#preview', first)
    assert sort_link, "column headings are sort links"
    desc = _text(client, f"/dataset/{dataset.name}?r={rid}&sort=so&desc=1&page=2")
    assert _cells(desc)[:2] == ["M049", "M048"]
    assert 'aria-sort="descending"' in desc and "dòng 11–20 trên 60" in desc
    past_end = _text(client, f"/dataset/{dataset.name}/resource/{rid}?page=99")
    assert _cells(past_end)[-1] == "M059" and "Trang 3 / 3" in past_end  # 25 rows a page
    bad_sort = _text(client, f"/dataset/{dataset.name}?r={rid}&sort=no_such_column")
    assert _cells(bad_sort)[0] == "M000"


def test_preview_fragment_for_in_place_updates(services, client) -> None:
    dataset, rid, *_ = publish_sample(services, data=ROWS.encode())
    html = _text(client, f"/dataset/{dataset.name}?partial=preview&r={rid}&sort=ten&desc=1")
    assert html.lstrip().startswith('<div class="preview-box"') and "<html" not in html
    assert _cells(html)[0] == "M059"
    assert client.get(f"/dataset/{dataset.name}?partial=preview&r=nope").status_code == 404


def test_statistics_charts_and_map_are_server_side_svg(services, client) -> None:
    dataset, rid, *_ = publish_sample(services, data=ROWS.encode())
    html = _text(client, f"/dataset/{dataset.name}/resource/{rid}")
    assert re.search(r"<title id=\"chart-[^\"]+\">Phân bố của so</title>", html)
    assert "Nhỏ nhất" in html and ">59<" in html  # the maximum of so
    map_svg = re.search(r'<figure class="map">.*?</figure>', html, re.S)
    assert map_svg and "Bản đồ 60 địa điểm" in map_svg.group(0)
    assert map_svg.group(0).count("h0") == 60  # one mark per distinct point
    assert "gần đúng" in map_svg.group(0)  # the outlines are labelled approximate


def test_downloads_show_size_digest_and_api_examples(services, client) -> None:
    dataset, rid, *_ = publish_sample(services)
    html = _text(client, f"/dataset/{dataset.name}")
    view = services.catalog.get(dataset.name)
    assert f"<code>{view.resources[0].sha256}</code>" in html
    assert f'href="/dataset/{dataset.name}/resource/{rid}/download/data.csv"' in html
    for ext in ("xlsx", "parquet", "json"):
        converted = f"/dataset/{dataset.name}/resource/{rid}/download/data.{ext}"
        assert f'href="{converted}"' in html
    assert b"Tr\xe1\xba\xa1m Ch\xe1\xbb\xa3 L\xe1\xbb\x9bn" in client.get(converted).data
    site = services.settings.site_url.rstrip("/")
    assert f'curl "{site}/api/3/action/package_show?id={dataset.name}"' in html
    assert f'portal = RemoteCKAN("{site}")' in html
    assert "import requests" in html and f'"resource_id": "{rid}"' in html


def test_related_datasets_share_a_tag(services, client) -> None:
    first, *_ = publish_sample(services, title="Trạm dừng xe buýt")
    _second, *_ = publish_sample(services, title="Tuyến xe buýt")
    html = _text(client, f"/dataset/{first.name}")
    related = html[html.index('id="related-title"') :]
    assert "Tuyến xe buýt" in related and f'href="/dataset/{first.name}"' not in related


def test_unknown_dataset_and_resource_are_not_found(services, client) -> None:
    dataset, *_ = publish_sample(services)
    assert client.get(f"/dataset/{dataset.name}/resource/khong-co").status_code == 404
    assert client.get("/dataset/khong-co/resource/khong-co").status_code == 404
