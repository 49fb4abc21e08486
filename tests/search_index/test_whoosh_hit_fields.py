"""What a hit carries (id, name, title) is read once per segment and stays right across
commits, and equals the stored fields a highlighted search reads."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from search_index import SearchQuery, SortOrder, WhooshIndex
from tests.search_index.conftest import relevance_documents


def _hits(
    index: WhooshIndex, text: str = "", highlight: bool = False
) -> list[tuple[str, str, str]]:
    query = SearchQuery(text=text, limit=1000, sort=SortOrder.ID, highlight=highlight)
    found = index.search(query)
    return [(h.id, h.name, h.title) for h in found.hits]


def test_hits_carry_each_documents_current_id_name_and_title(tmp_path: Path) -> None:
    docs = relevance_documents()
    index = WhooshIndex(tmp_path / "index")
    index.replace_all(docs)
    expected = sorted((d.id, d.name, d.title_vi) for d in docs)
    for _ in range(2):  # read from Whoosh, then from the segment's memory
        assert sorted(_hits(index)) == expected
    target = docs[3]
    for number in range(3):  # each commit deletes in the big segment and adds a small one
        renamed = dataclasses.replace(
            target, name=f"{target.name}-{number}", title_vi=f"Bản đồ qwzx{number}"
        )
        index.upsert([renamed])
        now = sorted(_hits(index))
        assert [h for h in now if h[0] == target.id] == [
            (target.id, renamed.name, renamed.title_vi)
        ]
        assert len(now) == len(docs)
    # A highlighted search reads the stored fields themselves: the same hits.
    word = docs[0].title_vi.split()[0]
    plain = _hits(index, text=word, highlight=False)
    assert plain and plain == _hits(index, text=word, highlight=True)
    index.close()
