"""``PublicCatalog.search``: public views of a page of hits in a fixed number of statements."""

from __future__ import annotations

from app.services import Services, document_from_public
from datasets.public import PublicCatalog
from search_index import SearchQuery, SortOrder
from tests.factories import publish_sample
from tests.statements import counted_statements, publish_linked

TAG = "dem-cau-lenh"
# Stamps; datasets with their live revisions; entries with their versions; organizations.
MAX_STATEMENTS = 4


def _statements(services: Services, catalog: PublicCatalog, rows: int) -> tuple[int, int]:
    query = SearchQuery(filters={"tags": (TAG,)}, limit=rows, facets=("organization",))
    counts = []
    for _round in ("cold", "warm"):
        with counted_statements(services.engine) as statements:
            result = catalog.search(query)
        assert len(result.views) == rows and result.total == 32
        counts.append(len(statements))
    return counts[0], counts[1]


def test_search_statements_do_not_grow_with_rows(services: Services) -> None:
    publish_linked(services, 32, TAG)
    fresh = [PublicCatalog(services.sessions, services.search, cache_seconds=30) for _ in "ab"]
    cold_2, warm_2 = _statements(services, fresh[0], 2)
    cold_30, warm_30 = _statements(services, fresh[1], 30)
    print(f"PublicCatalog.search statements: cold {cold_2}/{cold_30}, warm {warm_2}/{warm_30}")
    assert (cold_2, warm_2) == (cold_30, warm_30)
    assert cold_30 <= MAX_STATEMENTS and warm_30 == 1  # warm: only the stamps are read
    uncached = PublicCatalog(services.sessions, services.search)
    assert _statements(services, uncached, 2) == _statements(services, uncached, 30)


def test_search_answers_public_views_in_hit_order_with_the_index_counts(
    services: Services,
) -> None:
    first, *_ = publish_sample(services, title="Chất lượng không khí quận 1")
    second, _rid, _pub, steward = publish_sample(services, title="Chất lượng nước kênh")
    third, *_ = publish_sample(services, title="Chất lượng tiếng ồn")
    withdrawn = services.catalog.get(second.id)
    assert withdrawn is not None
    services.workflow.withdraw(steward, second.name, "Số liệu sai")
    services.search.upsert([document_from_public(withdrawn)])  # an index not yet repaired
    query = SearchQuery(text="chat luong", sort=SortOrder.TITLE, facets=("organization",))
    result = services.catalog.search(query)
    assert [h.id for h in result.page.hits] == [first.id, second.id, third.id]
    assert [v.id for v in result.views] == [first.id, third.id]  # only what is public
    assert result.views[1].title == "Chất lượng tiếng ồn"
    assert result.total == 3  # the index's count, as every surface showed it before
    assert sorted(n for _name, n in result.facets["organization"]) == [1, 1, 1]
    assert withdrawn.organization.name in dict(result.facets["organization"])
