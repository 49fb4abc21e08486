"""The Solr subset of ``q``/``fq``: tokens, precedence, fields, dates and what is refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.ckan_api.solr_query import MAX_CLAUSES, parse_solr
from search_index import (
    And,
    DateRange,
    Everything,
    Exact,
    Not,
    Or,
    Present,
    QueryNode,
    SearchQueryError,
    Words,
)


def fq(text: str) -> QueryNode:
    return parse_solr(text, "fq", lenient_fields=False)[0]


def q(text: str) -> QueryNode:
    return parse_solr(text, "q", lenient_fields=True)[0]


A, B, C = Exact("tags", "a"), Exact("tags", "b"), Exact("tags", "c")


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ("tags:a OR tags:b tags:c", And((Or((A, B)), C))),  # spaces bind loosest
        ("tags:a AND tags:b OR tags:c", Or((And((A, B)), C))),  # AND over OR
        ("tags:a OR tags:b AND tags:c", Or((A, And((B, C))))),
        ("NOT tags:a AND tags:b", And((Not(A), B))),  # NOT over AND
        ("tags:a && !tags:b || tags:c", Or((And((A, Not(B))), C))),
        ("(tags:a OR tags:b) AND -tags:c", And((Or((A, B)), Not(C)))),
        ("+tags:a -tags:b", And((A, Not(B)))),
        ("tags:(a OR b)", Or((A, B))),
        ("tags:(a OR title:b)", Or((A, Words("title", "b")))),
        ('tags:"a" name:x\\:y', And((A, Exact("name", "x:y")))),
        ("*:*", Everything()),
        ("tags:* name:*", And((Present("tags"), Everything()))),
        ("dataset_type:dataset state:active", And((Everything(), Everything()))),
        ("state:draft", Or(())),
        ("capacity:private", Not(Exact("access_level", "public"))),
        ("groups:giao-thong", Exact("theme", "giao-thong")),
    ],
)
def test_precedence_and_fields(text: str, tree: QueryNode) -> None:
    assert fq(text) == tree


def test_the_ckanext_harvest_filter_reads_as_intended() -> None:
    text = (
        "organization:so-gtvt OR organization:so-yte groups:giao-thong OR groups:y-te "
        "metadata_modified:[2026-06-19T13:32:12.123456Z TO *]"
    )
    assert fq(text) == And(
        (
            Or((Exact("organization", "so-gtvt"), Exact("organization", "so-yte"))),
            Or((Exact("theme", "giao-thong"), Exact("theme", "y-te"))),
            DateRange("modified", datetime(2026, 6, 19, 13, 32, 12, 123456, tzinfo=UTC), None),
        )
    )


def test_q_words_phrases_and_unknown_fields() -> None:
    assert q("xe buýt") == And((Words("text", "xe"), Words("text", "buýt")))
    assert q('"xe buýt" OR title:nước') == Or(
        (Words("text", "xe buýt", phrase=True), Words("title", "nước"))
    )
    # An unknown field in q is text (edismax); in fq it is an error.
    assert q("giờ:mở") == Words("text", "giờ:mở")
    assert q("covid-19 - x") == And(
        (Words("text", "covid-19"), Words("text", "-"), Words("text", "x"))
    )
    with pytest.raises(SearchQueryError, match="unknown field 'giờ'"):
        parse_solr("giờ:mở", "fq", lenient_fields=False)


def test_date_bounds_and_now_arithmetic() -> None:
    exclusive = fq("metadata_created:{2024-01-01 TO 2024-02-01T00:00:00+07:00]")
    assert exclusive == DateRange(
        "created",
        datetime(2024, 1, 1, tzinfo=UTC),
        datetime(2024, 1, 31, 17, tzinfo=UTC),
        include_low=False,
        include_high=True,
    )
    rounded = fq("metadata_modified:[NOW-1MONTH/DAY TO NOW+2HOURS]")
    assert isinstance(rounded, DateRange) and rounded.low and rounded.high
    assert (rounded.low.hour, rounded.low.minute, rounded.low.second) == (0, 0, 0)
    assert 27 <= (datetime.now(UTC) - rounded.low).days <= 31
    assert 7190 < (rounded.high - datetime.now(UTC)).total_seconds() <= 7200
    year = fq("metadata_modified:[NOW/YEAR TO *]")
    assert isinstance(year, DateRange) and year.low is not None
    assert (year.low.month, year.low.day, year.low.hour) == (1, 1, 0)
    with pytest.raises(SearchQueryError, match="leaves the calendar"):
        fq("metadata_modified:[NOW-999999YEARS TO *]")


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("{!lucene}tags:a", "local parameters"),
        ("tags:a~", "fuzzy"),
        ('"xe buýt"~2', "proximity"),
        ("title:a^3", "boosts"),
        ("name:bus*", "wildcards"),
        ("te?t", "wildcards"),
        ("/ab+c/", "regular expressions"),
        ("tags:a)", "unbalanced ')'"),
        ("(tags:a", "unbalanced '('"),
        ("()", "empty parentheses"),
        ("tags:[a TO b]", "ranges work on metadata_modified"),
        ("metadata_modified:[2024 TO]", "malformed range"),
        ("metadata_modified:[2024-01-01", "unbalanced '['"),
        ("[a TO b]", "a range needs a field"),
        ("tags:", "has no value"),
        ("AND tags:a", "AND where a clause"),
        ("tags:a OR", "the query ends"),
        ("NOT", "the query ends"),
        ("metadata_modified:2024-01-01", "takes a range"),
        ("(" * 9 + "tags:a" + ")" * 9, "at most 8 nested parentheses"),
        (" ".join(["tags:a"] * (MAX_CLAUSES + 1)), f"at most {MAX_CLAUSES} clauses"),
        ("x" * 1001, "at most 1000 characters"),
    ],
)
def test_refusals_name_the_problem(text: str, detail: str) -> None:
    with pytest.raises(SearchQueryError) as caught:
        fq(text)
    assert detail in caught.value.message
    assert caught.value.message.startswith(("fq: ", "the query", "date arithmetic"))
