"""Dataset lists run a fixed number of SQL statements, however many datasets they return.

Each surface is asked for a short and a long page (10 and 100 datasets; the search page has
a fixed size, so a full page of 20 and a last page of 4), once cold (every dataset's stamp
moved: no view is remembered) and once warm. A statement per returned dataset (N+1) makes
the long page's count larger.
"""

from __future__ import annotations

import pytest

from app.services import Services
from tests.statements import counted_statements, publish_linked

TAG = "dem-danh-sach"
PUBLISHED = 104
# (path, query of the short page, query of the long page, how many each returns)
SURFACES = [
    ("/api/3/action/package_search", {"fq": f"tags:{TAG}", "rows": 10}, {"rows": 100}),
    ("/api/3/action/package_list", {"limit": 10}, {"limit": 100}),
    ("/api/3/action/current_package_list_with_resources", {"limit": 10}, {"limit": 100}),
    ("/api/v1/datasets", {"page_size": 10}, {"page_size": 100}),
]
# Statements of a cold list at most: stamps, datasets with live revisions, entries with
# versions, organizations; plus the surface's own (count, themes and organizations).
MAX_STATEMENTS = 8


def _counted(services: Services, client, path: str, query: dict[str, object]) -> list[str]:
    with counted_statements(services.engine) as statements:
        response = client.get(path, query_string=query)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return list(statements)


def _cold_and_warm(services: Services, client, path: str, query: dict[str, object]):
    for view in services.catalog.iter_all():  # a new stamp for every view
        services.catalog.record_download(view.id)
    return len(_counted(services, client, path, query)), len(
        _counted(services, client, path, query)
    )


def _returned(client, path: str, query: dict[str, object]) -> list[str]:
    body = client.get(path, query_string=query).get_json()
    if path.startswith("/api/v1"):
        return [d["name"] for d in body["items"]]
    result = body["result"]
    if isinstance(result, dict):
        result = result["results"]
    return [p if isinstance(p, str) else p["name"] for p in result]


@pytest.fixture
def published(services: Services) -> list[str]:
    return [d.name for d in publish_linked(services, PUBLISHED, TAG)]


def test_lists_and_the_search_page_run_the_same_statements_for_10_and_100_datasets(
    services: Services, client, published: list[str]
) -> None:
    for path, short, long in SURFACES:
        long = {**short, **long}
        names = _returned(client, path, long)
        assert len(names) == 100 and set(names) <= set(published), path
        assert len(_returned(client, path, short)) == 10, path
        few, many = (
            _cold_and_warm(services, client, path, short),
            _cold_and_warm(services, client, path, long),
        )
        print(f"{path}: cold/warm statements at 10 rows {few}, at 100 rows {many}")
        assert few == many, path
        assert many[0] <= MAX_STATEMENTS, path
    # The search page has a fixed size: a full page of 20 and a last page of 4.
    full, last = {"tags": TAG}, {"tags": TAG, "page": 6}
    for query, shown in ((full, 20), (last, PUBLISHED - 100)):
        html = client.get("/dataset", query_string=query).get_data(as_text=True)
        assert html.count('<article class="card">') == shown
        assert sum(f'href="/dataset/{name}"' in html for name in published) == shown
    counts = [_cold_and_warm(services, client, "/dataset", q) for q in (full, last)]
    print(f"search page: cold/warm statements of a full page and a last page {counts}")
    assert counts[0] == counts[1]
    assert counts[0][0] <= MAX_STATEMENTS
