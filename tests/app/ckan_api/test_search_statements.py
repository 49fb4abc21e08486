"""CKAN ``package_search`` runs a fixed number of SQL statements, however many rows it returns."""

from __future__ import annotations

from app.ckan_api.read import MAX_LIST
from app.ckan_api.search_params import MAX_ROWS
from app.services import Services
from datasets.public import BATCH_SIZE
from tests.statements import counted_statements, publish_linked

TAG = "dem-cau-lenh"
# The page's views (4 cold, 1 warm) plus themes and organizations for the dicts and facet
# titles.
MAX_STATEMENTS = 8


def _statements(services: Services, client, rows: int) -> tuple[int, int]:
    for dataset_id in _ids(services):  # a new stamp for every view: nothing is remembered
        services.catalog.record_download(dataset_id)
    counts = []
    for _round in ("cold", "warm"):
        with counted_statements(services.engine) as statements:
            response = client.get(
                "/api/3/action/package_search", query_string={"fq": f"tags:{TAG}", "rows": rows}
            )
        result = response.get_json()["result"]
        assert result["count"] == 32 and len(result["results"]) == rows
        assert all(len(p["resources"]) in (1, 2, 3) for p in result["results"])
        counts.append(len(statements))
    return counts[0], counts[1]


def _ids(services: Services) -> list[str]:
    return [v.id for v in services.catalog.iter_all()]


def test_package_search_statements_do_not_grow_with_rows(services: Services, client) -> None:
    publish_linked(services, 32, TAG)
    cold_2, warm_2 = _statements(services, client, 2)
    cold_30, warm_30 = _statements(services, client, 30)
    print(f"package_search statements: cold {cold_2}/{cold_30}, warm {warm_2}/{warm_30}")
    assert (cold_2, warm_2) == (cold_30, warm_30)
    assert warm_30 < cold_30 <= MAX_STATEMENTS


def test_the_largest_page_is_one_batch() -> None:
    assert max(MAX_ROWS, MAX_LIST) <= BATCH_SIZE
