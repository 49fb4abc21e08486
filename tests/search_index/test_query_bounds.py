"""Searches are bounded: capped text, and no search holds the index for the others."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from search_index import (
    MAX_QUERY_CHARS,
    MAX_QUERY_WORDS,
    QueryTooLong,
    SearchQuery,
    SearchQueryError,
    WhooshIndex,
    shorten_query_text,
)
from tests.search_index.test_whoosh_concurrency import _document


@pytest.mark.parametrize(
    "text",
    ["giao thông " * 11, "a" * (MAX_QUERY_CHARS + 1), ",".join(["x"] * (MAX_QUERY_WORDS + 1))],
)
def test_search_text_past_the_caps_is_refused(text: str) -> None:
    with pytest.raises(QueryTooLong) as caught:
        SearchQuery(text=text)
    assert isinstance(caught.value, SearchQueryError)
    assert f"at most {MAX_QUERY_CHARS} characters and {MAX_QUERY_WORDS} words" in str(caught.value)
    shortened = shorten_query_text(text)
    assert SearchQuery(text=shortened).text == shortened and text.startswith(shortened)


def test_text_at_the_caps_is_searched() -> None:
    words = " ".join(f"w{i}" for i in range(MAX_QUERY_WORDS))
    assert SearchQuery(text=words).text == words
    assert SearchQuery(text="ă" * MAX_QUERY_CHARS).text == "ă" * MAX_QUERY_CHARS


def test_a_search_in_progress_does_not_make_others_wait(tmp_path: Path) -> None:
    index = WhooshIndex(tmp_path)
    index.upsert([_document(f"d{i}", f"Trạm xe buýt số {i}") for i in range(30)])
    answers: list[int] = []
    with index._reading():  # a search of this process is under way (was: one lock for all)
        other = threading.Thread(
            target=lambda: answers.append(index.search(SearchQuery(text="xe buyt")).total)
        )
        other.start()
        other.join(timeout=10)
        assert answers == [30]
    index.close()


def test_concurrent_searches_and_writes_stay_correct(tmp_path: Path) -> None:
    index = WhooshIndex(tmp_path)
    index.upsert([_document(f"d{i}", f"Bệnh viện quận {i}") for i in range(50)])
    failures: list[BaseException] = []
    totals: list[int] = []

    def read() -> None:
        try:
            for _ in range(40):
                totals.append(index.search(SearchQuery(text="benh vien", highlight=True)).total)
        except BaseException as exc:  # pragma: no cover - reported below
            failures.append(exc)

    readers = [threading.Thread(target=read) for _ in range(4)]
    for thread in readers:
        thread.start()
    started = time.monotonic()
    for i in range(10):  # new generations while the readers search
        index.upsert([_document(f"n{i}", f"Bệnh viện mới {i}")])
    for thread in readers:
        thread.join(timeout=120)
    assert failures == [] and len(totals) == 160
    assert all(50 <= t <= 60 for t in totals)
    assert index.search(SearchQuery(text="benh vien")).total == 60
    assert time.monotonic() - started < 120
    index.close()
