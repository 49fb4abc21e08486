"""Public pages: home, search, organization and theme pages, in Vietnamese and English."""

from __future__ import annotations

import re

import pytest

from datasets.metadata_input import DatasetMetadata
from datasets.themes import save_theme
from publishers import Role
from tests.factories import actor, make_dataset, make_org, make_user, publish_sample, upload_bytes


@pytest.fixture
def themed(services):
    """Two themes and three published datasets (two transport, one environment)."""
    admin = actor(services, make_user(services, sysadmin=True))
    save_theme(services.sessions, admin, "giao-thong", "Giao thông", "Transport", "TRAN", 1)
    save_theme(services.sessions, admin, "moi-truong", "Môi trường", "Environment", "ENVI", 2)
    org = make_org(services, title="Sở Giao thông Vận tải")
    publisher = actor(services, make_user(services, org, Role.PUBLISHER))
    steward = actor(services, make_user(services, org, Role.STEWARD))
    names = []
    for title, theme in (
        ("Trạm dừng xe buýt", "giao-thong"),
        ("Bãi đỗ xe công cộng", "giao-thong"),
        ("Chất lượng không khí", "moi-truong"),
    ):
        dataset = services.editor.create(
            publisher,
            org.id,
            DatasetMetadata(
                title_vi=title,
                title_en=f"{title} (EN)",
                description_vi=f"{title} của thành phố, cập nhật hằng tháng.",
                themes=(theme,),
                tags=("mở",),
            ),
        )
        upload_bytes(services, publisher, dataset.name, b"ma,so\nA,1\nB,2\n")
        services.workflow.submit(publisher, dataset.name)
        services.workflow.approve(steward, dataset.name)
        names.append(dataset.name)
    return org, names


def _text(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def test_home_shows_counts_themes_newest_and_departments(themed, client) -> None:
    org, _names = themed
    html = _text(client, "/")
    assert re.search(r"<strong>3</strong>\s*<span>Bộ dữ liệu</span>", html)
    assert 'href="/group/giao-thong"' in html and "Bộ dữ liệu: 2" in html
    assert "Chất lượng không khí" in html  # newest
    assert f'href="/organization/{org.name}"' in html
    assert 'role="search"' in html and 'name="q"' in html


def test_search_by_unaccented_words_highlights_and_counts_facets(themed, client) -> None:
    html = _text(client, "/dataset?q=tram+dung")
    assert "Tìm thấy 1 bộ dữ liệu" in html
    snippet = re.search(r'<p class="snippet">(.*?)</p>', html)
    assert snippet and snippet.group(1).startswith("<mark>Trạm</mark> <mark>dừng</mark> xe buýt")
    assert "Trạm dừng xe buýt</a>" in html  # titles stay plain
    assert "Bãi đỗ xe" not in html
    everything = _text(client, "/dataset")
    theme_facet = re.search(
        r'href="/dataset\?theme=giao-thong">Giao thông</a>\s*<span class="count">2', everything
    )
    assert theme_facet, "theme facet with its title and count"


def test_facet_filter_is_active_and_removable(themed, client) -> None:
    html = _text(client, "/dataset?theme=moi-truong")
    assert "Tìm thấy 1 bộ dữ liệu" in html and "Chất lượng không khí" in html
    remove = re.search(r'<a class="chip removable" href="([^"]+)"', html)
    assert remove and "theme=" not in remove.group(1)
    assert "Chủ đề: Môi trường" in html


def test_empty_search_helps_and_suggests(themed, client) -> None:
    html = _text(client, "/dataset?q=khong+khii")
    assert "Không có bộ dữ liệu nào phù hợp." in html
    assert 'href="/group"' in html  # browse themes instead
    assert re.search(r'Có phải bạn muốn tìm <a href="/dataset\?q=khong\+khi">khong khi</a>', html)


def test_search_pages_keep_filters(services, client) -> None:
    org = make_org(services)
    publisher = actor(services, make_user(services, org, Role.PUBLISHER))
    steward = actor(services, make_user(services, org, Role.STEWARD))
    for n in range(23):
        dataset = make_dataset(services, publisher, org, title=f"Bảng số {n:02d}")
        upload_bytes(services, publisher, dataset.name, b"a\n1\n")
        services.workflow.submit(publisher, dataset.name)
        services.workflow.approve(steward, dataset.name)
    first = _text(client, f"/dataset?organization={org.name}&sort=title")
    assert first.count('class="card"') == 20
    assert f'href="/dataset?organization={org.name}&amp;sort=title&amp;page=2"' in first
    second = _text(client, f"/dataset?organization={org.name}&sort=title&page=2")
    assert second.count('class="card"') == 3 and "Bảng số 22" in second
    garbage = _text(client, f"/dataset?organization={org.name}&sort=title&page=abc")
    assert "Bảng số 00" in garbage and "Bảng số 22" not in garbage  # a bad page number is page 1


def test_organization_and_theme_pages_list_their_datasets(themed, client) -> None:
    org, _names = themed
    org_page = _text(client, f"/organization/{org.name}")
    assert "Sở Giao thông Vận tải" in org_page and "3 bộ dữ liệu" in org_page
    theme_page = _text(client, "/group/giao-thong")
    assert "Trạm dừng xe buýt" in theme_page and "Bãi đỗ xe công cộng" in theme_page
    assert "Chất lượng không khí" not in theme_page
    themes = _text(client, "/group")
    assert "Môi trường" in themes and "Bộ dữ liệu: 1" in themes
    assert client.get("/group/khong-co").status_code == 404
    assert client.get("/organization/khong-co").status_code == 404


def test_english_is_remembered_with_english_dates_and_numbers(services, client) -> None:
    dataset, *_ = publish_sample(services)
    response = client.get("/lang/en?next=/dataset/" + dataset.name)
    assert response.status_code == 302 and response.headers["Location"].endswith(dataset.name)
    html = _text(client, f"/dataset/{dataset.name}")
    assert "About this dataset" in html and "Thông tin bộ dữ liệu" not in html
    assert re.search(r"<h1>Test data \d+</h1>", html)  # the English title
    assert re.search(r"Test Department \d+", html)  # the organization's English title
    year = str(dataset.created.year)
    assert re.search(r"Updated [A-Z][a-z]{2} \d{1,2}, " + year, html)
    vi = _text(client.application.test_client(), f"/dataset/{dataset.name}")
    assert re.search(r"Cập nhật \d{1,2} thg \d{1,2}, " + year, vi)


def test_language_switch_never_redirects_off_site(client) -> None:
    for target in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        response = client.get("/lang/en", query_string={"next": target})
        assert response.headers["Location"] == "/"
