"""The boolean query tree and several sort keys give the same hits on every backend.

Each test runs on Whoosh and on PostgreSQL (with TEST_DATABASE_URL) with the same asserts.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from search_index import (
    And,
    DateRange,
    Everything,
    Exact,
    Not,
    Or,
    Present,
    QueryNode,
    SearchIndex,
    SearchQuery,
    Words,
)
from tests.contracts.test_search_index import index_url, make_document, search_index

__all__ = ["index_url", "search_index"]  # fixtures used by these tests


def _day(day: int) -> datetime:
    return datetime(2024, 3, day, 12, 0, tzinfo=UTC)


@pytest.fixture
def catalog(search_index: SearchIndex) -> SearchIndex:
    search_index.upsert(
        [
            make_document(
                "Tuyến xe buýt",
                id="bus",
                name="tuyen-xe-buyt",
                organization="so-gtvt",
                tags=("xe buýt",),
                created=_day(1),
                modified=_day(10),
                description_vi="Lộ trình các tuyến buýt.",
            ),
            make_document(
                "Chất lượng nước",
                id="water",
                name="chat-luong-nuoc",
                organization="so-tnmt",
                tags=("nước",),
                created=_day(2),
                modified=_day(5),
                access_level="restricted",
            ),
            make_document(
                "Nước thải xe buýt",
                id="waste",
                name="nuoc-thai",
                organization="so-tnmt",
                created=_day(3),
                modified=_day(10),
                description_vi="Buýt điện và nước thải.",
            ),
            make_document(
                "Bệnh viện",
                id="hospital",
                name="benh-vien",
                organization="so-y-te",
                tags=("y tế", "bệnh viện"),
                created=_day(4),
                modified=_day(1),
            ),
        ]
    )
    return search_index


def _ids(index: SearchIndex, match: QueryNode, **more: Any) -> list[str]:
    """Return the ids of every hit of ``match`` (by id unless ``more`` says otherwise)."""
    options: dict[str, Any] = {"sort_keys": (("id", False),), **more}
    query = SearchQuery(match=match, limit=100, facets=(), **options)
    return [hit.id for hit in index.search(query).hits]


def test_or_and_not_with_folded_words(catalog: SearchIndex) -> None:
    assert _ids(catalog, Or((Words("text", "buyt"), Words("text", "benh")))) == [
        "bus",
        "hospital",
        "waste",
    ]
    assert _ids(catalog, And((Words("text", "nước"), Not(Words("text", "buýt"))))) == ["water"]
    assert _ids(catalog, Not(Everything())) == []
    assert _ids(catalog, Or(())) == []


def test_title_words_and_phrases(catalog: SearchIndex) -> None:
    # "buýt" is in the description of "waste" and the title of "bus" and "waste".
    assert _ids(catalog, Words("title", "buyt")) == ["bus", "waste"]
    assert _ids(catalog, Words("text", "xe buýt", phrase=True)) == ["bus", "waste"]
    assert _ids(catalog, Words("text", "buýt xe", phrase=True)) == []
    assert _ids(catalog, Words("text", "buýt xe")) == ["bus", "waste"]  # not a phrase
    # A phrase within one tag, as the words it is made of (a keyword matches words too).
    assert _ids(catalog, Words("text", "y te", phrase=True)) == ["hospital"]
    assert _ids(catalog, Words("text", "tế bệnh", phrase=True)) == []  # two tags, not a phrase


def test_exact_values_name_id_and_presence(catalog: SearchIndex) -> None:
    assert _ids(catalog, Exact("name", "chat-luong-nuoc")) == ["water"]
    assert _ids(catalog, Exact("name", "chat-luong")) == []
    assert _ids(catalog, Exact("id", "hospital")) == ["hospital"]
    assert _ids(catalog, Exact("tags", "bệnh viện")) == ["hospital"]
    either = Or((Exact("organization", "so-gtvt"), Exact("organization", "so-y-te")))
    assert _ids(catalog, either) == ["bus", "hospital"]
    assert _ids(catalog, Present("tags")) == ["bus", "hospital", "water"]
    assert _ids(catalog, Not(Exact("access_level", "public"))) == ["water"]


def test_date_ranges_inclusive_and_exclusive(catalog: SearchIndex) -> None:
    assert _ids(catalog, DateRange("modified", _day(5), None)) == ["bus", "waste", "water"]
    assert _ids(catalog, DateRange("modified", _day(5), None, include_low=False)) == [
        "bus",
        "waste",
    ]
    assert _ids(catalog, DateRange("created", None, _day(2))) == ["bus", "water"]
    assert _ids(catalog, DateRange("created", None, _day(2), include_high=False)) == ["bus"]


def test_the_tree_applies_after_deletes_and_updates(catalog: SearchIndex) -> None:
    catalog.delete(["bus"])
    assert _ids(catalog, Exact("name", "tuyen-xe-buyt")) == []
    catalog.upsert([make_document("Bệnh viện nhi", id="child", name="benh-vien-nhi")])
    assert _ids(catalog, Exact("name", "benh-vien-nhi")) == ["child"]
    assert _ids(catalog, Words("title", "benh vien")) == ["child", "hospital"]


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        ((("modified", False), ("id", False)), ["hospital", "water", "bus", "waste"]),
        ((("modified", True), ("id", True)), ["waste", "bus", "water", "hospital"]),
        ((("created", True),), ["hospital", "waste", "water", "bus"]),
        ((("name", False),), ["hospital", "water", "waste", "bus"]),
        ((("title", True),), ["bus", "waste", "water", "hospital"]),
        ((("modified", True), ("name", False)), ["waste", "bus", "water", "hospital"]),
    ],
)
def test_several_sort_keys(catalog: SearchIndex, keys: object, expected: list[str]) -> None:
    assert _ids(catalog, Everything(), sort_keys=keys) == expected


def test_score_first_then_a_tie_breaker(catalog: SearchIndex) -> None:
    # "buýt" in the title, description and a tag outweighs it in a title and description.
    ranked = _ids(catalog, Words("text", "buýt"), text="buýt", sort_keys=(("score", True),))
    assert ranked == ["bus", "waste"]
    # Equal scores: the next key decides, either way.
    catalog.upsert(
        [
            make_document("Công viên quận", id="park-1", name="cong-vien-a", created=_day(7)),
            make_document("Công viên quận", id="park-2", name="cong-vien-b", created=_day(6)),
        ]
    )
    park = Words("text", "công viên")
    for descending, expected in ((True, ["park-2", "park-1"]), (False, ["park-1", "park-2"])):
        keys = (("score", True), ("name", descending))
        assert _ids(catalog, park, text="công viên", sort_keys=keys) == expected
    keys = (("score", True), ("created", False))
    assert _ids(catalog, park, text="công viên", sort_keys=keys) == ["park-2", "park-1"]
    page = catalog.search(
        SearchQuery(text="buýt", match=Words("text", "buýt"), facets=("organization",))
    )
    assert page.total == 2
    assert dict(page.facets["organization"]) == {"so-gtvt": 1, "so-tnmt": 1}
    # Without words, score means nothing and the next key decides.
    assert _ids(catalog, Everything(), sort_keys=(("score", True), ("created", False))) == [
        "bus",
        "water",
        "waste",
        "hospital",
        "park-2",
        "park-1",
    ]
