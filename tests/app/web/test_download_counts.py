"""Only downloads people received count, and error pages speak the visitor's language (issue 21).

"Most downloaded" ranks datasets by their download count: a download that failed (here a
conversion whose published file is missing) used to count before it failed, so the
ranking rewarded errors.
"""

from __future__ import annotations

import pytest

from search_index import SearchQuery, SortOrder
from tests.factories import publish_sample


def _downloads(services, name: str) -> int:
    view = services.catalog.get(name)
    assert view is not None
    return view.downloads


def test_failed_downloads_do_not_count_nor_rank(app, client, services) -> None:
    broken, broken_rid, _p, _s = publish_sample(services, title="Bến xe buýt hỏng tệp")
    other = "ma_tram,ten_tram\nT009,Trạm Chợ Lớn\n".encode()  # another file: its own blob
    working, working_rid, _p2, _s2 = publish_sample(services, "Bến xe buýt đầy đủ", other)
    broken_view = services.catalog.get(broken.name)
    sha = broken_view.resources[0].sha256
    path = services.public_store.local_path(sha)
    assert path is not None
    path.write_bytes(b"\xff\xfe\x00 not the published table")  # conversions cannot be built
    app.config["PROPAGATE_EXCEPTIONS"] = False  # answered as in production: a 500 page
    base = f"/dataset/{broken.name}/resource/{broken_rid}/download"
    for fmt in ("parquet", "xlsx", "json"):
        failed = client.get(f"{base}/data.{fmt}")
        assert failed.status_code == 500
        assert "Đã có lỗi xảy ra" in failed.get_data(as_text=True)
    path.unlink()  # and the file itself is gone
    missing = client.get(f"{base}/data.csv")
    assert missing.status_code == 404 and "Không tìm thấy" in missing.get_data(as_text=True)
    assert _downloads(services, broken.name) == 0

    good = f"/dataset/{working.name}/resource/{working_rid}/download/data.csv"
    first = client.get(good)
    assert first.status_code == 200 and first.get_data().startswith(b"ma_tram,")
    again = client.get(good, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304  # nothing sent: not a download
    assert _downloads(services, working.name) == 1

    services.index_dataset(broken.id)
    services.index_dataset(working.id)
    ranked = services.catalog.search(SearchQuery(sort=SortOrder.POPULARITY, limit=10)).views
    assert [v.name for v in ranked] == [working.name, broken.name]
    home = client.get("/").get_data(as_text=True)
    popular = home.split('id="popular-title"', 1)[1].split("</section>", 1)[0]
    assert "Bến xe buýt đầy đủ" in popular and "Bến xe buýt hỏng tệp" not in popular


@pytest.mark.parametrize(
    ("lang", "title", "message"),
    [
        ("", "Đã có lỗi xảy ra", "Một lỗi không lường trước đã dừng trang này."),
        ("en", "Something went wrong", "An unexpected error stopped this page."),
    ],
    ids=["vietnamese-by-default", "english-by-cookie"],
)
def test_the_internal_error_page_speaks_the_visitors_language(
    app, client, services, lang: str, title: str, message: str
) -> None:
    dataset, rid, _p, _s = publish_sample(services)
    path = services.public_store.local_path(services.catalog.get(dataset.name).resources[0].sha256)
    path.write_bytes(b"\xff\xfe\x00 not the published table")
    app.config["PROPAGATE_EXCEPTIONS"] = False
    if lang:
        client.set_cookie("lang", lang)
    page = client.get(f"/dataset/{dataset.name}/resource/{rid}/download/data.parquet")
    text = page.get_data(as_text=True)
    assert page.status_code == 500
    assert f"<h1>{title}</h1>" in text and message in text
    assert "Internal Server Error" not in text and "FileNotFoundError" not in text


@pytest.mark.parametrize(
    ("lang", "title", "message"),
    [
        ("", "Không tìm thấy", "Không tìm thấy trang hoặc bộ dữ liệu này."),
        ("en", "Not found", "We could not find that page or dataset."),
    ],
    ids=["vietnamese-by-default", "english-by-cookie"],
)
def test_an_unknown_address_answers_in_the_visitors_language(
    client, lang: str, title: str, message: str
) -> None:
    if lang:
        client.set_cookie("lang", lang)
    page = client.get("/khong-co-trang-nay")
    text = page.get_data(as_text=True)
    assert page.status_code == 404
    assert f"<h1>{title}</h1>" in text and message in text
    assert "Not Found</h1>" not in text and "requested URL was not found" not in text
