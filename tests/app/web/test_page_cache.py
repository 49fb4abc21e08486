"""Rendered public pages are reused for anonymous readers only, and only while unchanged."""

from __future__ import annotations

from app.services import Services
from tests.factories import PASSWORD, make_user, publish_sample
from tests.statements import counted_statements


def _page(services: Services, client, path: str, **query: str) -> tuple[str, int]:
    with counted_statements(services.engine) as statements:
        response = client.get(path, query_string=query)
    assert response.status_code == 200
    return response.get_data(as_text=True), len(statements)


def test_an_anonymous_page_is_reused_until_what_it_shows_changes(
    services: Services, client
) -> None:
    dataset, *_rest, steward = publish_sample(services, title="Bãi đỗ xe công cộng")
    path = f"/dataset/{dataset.name}"
    first, rendered = _page(services, client, path)
    again, reused = _page(services, client, path)
    assert again == first and reused < rendered
    assert services.caches.pages is not None
    services.catalog.record_download(dataset.id)  # a new stamp: the page is built again
    counted, _n = _page(services, client, path)
    assert "Lượt tải: 1" in counted and "Lượt tải: 1" not in first
    client.set_cookie("lang", "en")
    english, _n = _page(services, client, path)
    assert "Downloads: 1" in english and "Lượt tải" not in english
    client.delete_cookie("lang")
    search, _n = _page(services, client, "/dataset", q="bai do xe")
    assert f'href="/dataset/{dataset.name}"' in search
    services.workflow.withdraw(steward, dataset.name, "Số liệu sai")
    after, _n = _page(services, client, "/dataset", q="bai do xe")
    assert f'href="/dataset/{dataset.name}"' not in after


def test_a_signed_in_page_is_never_reused_nor_given_to_anyone_else(
    services: Services, client, auth
) -> None:
    dataset, *_rest = publish_sample(services, title="Điểm wi-fi công cộng")
    path = f"/dataset/{dataset.name}"
    anonymous, _n = _page(services, client, path)
    reader = make_user(services, name="nguoi-doc-trang")
    assert auth.login(reader.name, PASSWORD).status_code == 302
    mine, _n = _page(services, client, path)
    assert "nguoi-doc-trang" in mine and 'name="csrf_token"' in mine
    assert "nguoi-doc-trang" not in anonymous
    auth.logout()
    again, _n = _page(services, client, path)
    assert "nguoi-doc-trang" not in again and 'name="csrf_token"' not in again
    search, _n = _page(services, client, "/dataset")
    assert "nguoi-doc-trang" not in search


def test_the_home_page_is_reused_until_a_dataset_or_a_count_changes(
    services: Services, client
) -> None:
    dataset, *_rest, steward = publish_sample(services, title="Điểm thu gom rác")
    link = f'href="/dataset/{dataset.name}"'
    first, _n = _page(services, client, "/")
    assert link in first
    again, _n = _page(services, client, "/")
    assert again == first
    assert services.caches.pages is not None
    assert any(key[0] == "public.home" for key in services.caches.pages._items)
    services.catalog.record_download(dataset.id)  # now among the most downloaded
    counted, _n = _page(services, client, "/")
    assert counted != first and counted.count(link) > first.count(link)
    services.workflow.withdraw(steward, dataset.name, "Số liệu sai")
    after, _n = _page(services, client, "/")
    assert link not in after
