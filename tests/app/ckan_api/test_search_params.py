"""CKAN ``package_search`` parameters map onto ``SearchQuery``."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.ckan_api.search_params import parse_package_search
from search_index import (
    FACET_FIELDS,
    And,
    DateRange,
    Everything,
    Exact,
    Not,
    SearchQueryError,
    SortOrder,
    Words,
)
from tests.factories import publish_sample


def test_defaults_match_ckan() -> None:
    query = parse_package_search({})
    assert (query.text, query.offset, query.limit, query.sort) == ("", 0, 10, SortOrder.RELEVANCE)
    assert query.facets == FACET_FIELDS
    assert parse_package_search({"q": "*:*"}).text == ""


def test_fq_filters_negation_and_quotes() -> None:
    query = parse_package_search(
        {
            "q": "giao thông",
            "fq": 'organization:so-gtvt +tags:"xe buýt" tags:metro -res_format:PDF '
            "license_id:cc-by-4.0 groups:giao-thong",
        }
    )
    assert query.text == "giao thông"
    assert query.match == And(
        (
            And((Words("text", "giao"), Words("text", "thông"))),
            And(
                (
                    Exact("organization", "so-gtvt"),
                    Exact("tags", "xe buýt"),
                    Exact("tags", "metro"),
                    Not(Exact("res_format", "PDF")),
                    Exact("license_id", "cc-by-4.0"),
                    Exact("theme", "giao-thong"),
                )
            ),
        )
    )


def test_field_clauses_in_q_are_filters_not_ranking_words() -> None:
    query = parse_package_search({"q": "tags:y-te bệnh viện", "fq": "+dataset_type:dataset"})
    assert query.text == "bệnh viện"
    assert query.match == And(
        (
            And((Exact("tags", "y-te"), Words("text", "bệnh"), Words("text", "viện"))),
            Everything(),
        )
    )


def test_metadata_modified_range() -> None:
    query = parse_package_search(
        {"fq": "metadata_modified:[2024-01-01T00:00:00Z TO 2024-06-30T23:59:59Z]"}
    )
    assert query.match == DateRange(
        "modified", datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 6, 30, 23, 59, 59, tzinfo=UTC)
    )
    open_ended = parse_package_search({"fq": "metadata_modified:[NOW-7DAYS TO *]"}).match
    assert isinstance(open_ended, DateRange) and open_ended.high is None
    assert open_ended.low is not None
    assert (datetime.now(UTC) - open_ended.low).days == 7


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("score desc, metadata_modified desc", SortOrder.RELEVANCE),
        ("metadata_modified desc", SortOrder.MODIFIED),
        ("title_string asc", SortOrder.TITLE),
        ("name asc", SortOrder.TITLE),
        ("views_recent desc", SortOrder.POPULARITY),
        ("id asc", SortOrder.ID),
        ("", SortOrder.RELEVANCE),
    ],
)
def test_sort_forms(sort: str, expected: SortOrder) -> None:
    assert parse_package_search({"sort": sort}).sort is expected


def test_rows_start_and_facets() -> None:
    query = parse_package_search(
        {"rows": "1000", "start": "40", "facet.field": '["organization", "groups"]'}
    )
    assert (query.limit, query.offset) == (1000, 40)
    assert query.facets == ("organization", "theme")
    assert parse_package_search({"facet.limit": "-1"}).facet_limit == -1


@pytest.mark.parametrize("rows", ["1001", "5000", 10**9])
def test_rows_above_the_cap_are_clamped_as_ckan_does(rows: object) -> None:
    assert parse_package_search({"rows": rows}).limit == 1000


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"rows": "-1"}, "rows"),
        ({"rows": "ten"}, "rows: Invalid integer"),
        ({"start": "-1"}, "start"),
        ({"sort": "metadata_modified up"}, "sort"),
        ({"sort": "popularity desc"}, "sort"),
        ({"fq": "owner:someone"}, "unknown field 'owner'"),
        ({"fq": "metadata_modified:[2024-01-01 TO]"}, "malformed"),
        ({"fq": "metadata_modified:[yesterday TO *]"}, "malformed date"),
        ({"fq": "metadata_modified:2024-01-01"}, "takes a range"),
        ({"fq": "tags:[a TO b]"}, "ranges work on metadata_modified"),
        ({"facet.field": '["owner"]'}, "facet.field"),
        ({"facet.field": '{"a": 1}'}, "facet.field"),
    ],
)
def test_bad_input_raises_a_clear_error(params: dict[str, str], message: str) -> None:
    with pytest.raises(SearchQueryError) as caught:
        parse_package_search(params)
    assert message in caught.value.message


def test_json_values_are_read_as_they_come() -> None:
    query = parse_package_search({"facet.field": ["organization", "groups"], "rows": 5, "start": 0})
    assert (query.facets, query.limit, query.offset) == (("organization", "theme"), 5, 0)
    assert parse_package_search({"facet.field": "tags"}).facets == ("tags",)
    assert parse_package_search({"rows": None, "q": None}).limit == 10
    with pytest.raises(SearchQueryError) as caught:
        parse_package_search({"facet.field": ["organization", 3]})
    assert "facet.field" in caught.value.message


@pytest.mark.parametrize("name", ["q", "fq", "sort", "rows", "start", "facet.limit"])
def test_a_list_where_one_value_is_expected_is_refused(name: str) -> None:
    with pytest.raises(SearchQueryError) as caught:
        parse_package_search({name: ["1", "2"]})
    assert caught.value.message == f"{name}: must be a single value"


def test_package_search_takes_facet_fields_as_a_json_list(services, client) -> None:
    publish_sample(services)
    body = {"facet.field": ["organization", "groups"], "rows": 1, "q": "*:*"}
    result = client.post("/api/3/action/package_search", json=body).get_json()["result"]
    assert sorted(result["facets"]) == ["groups", "organization"]
    assert result["count"] == 1 and len(result["results"]) == 1
    repeated = client.get(
        "/api/3/action/package_search?facet.field=tags&facet.field=res_format"
    ).get_json()["result"]
    assert repeated["facets"] == {"tags": {"xe buýt": 1}, "res_format": {"CSV": 1}}
    refused = client.get("/api/3/action/package_search?rows=1&rows=2")
    assert refused.status_code == 400
    assert "rows: must be a single value" in refused.get_data(as_text=True)
