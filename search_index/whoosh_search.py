"""Answer a search on a Whoosh reader state: match, filter, count facets, rank, page, suggest.

Every word must match (folded, in title, description or keywords) and is evaluated on the
bitsets of ``whoosh_reader``; ranking sums weighted features (see the weights below). The
PostgreSQL backend runs the same ``evaluate`` on bitsets read from PostgreSQL
(``postgres_cache.PostingsView``), so both backends answer alike.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from search_index.bitsets import Bitset, bitset_from_ids, take_in_order, top_groups
from search_index.documents import SearchHit, SearchPage, SearchQuery, SortOrder
from search_index.freshness import overdue_cutoffs
from search_index.query_match import keyed_order, match_bits, tree_terms
from search_index.query_tree import QueryNode
from search_index.snippets import highlight_fields
from search_index.suggest import suggest_words
from search_index.text import QueryText, nfc, vn_fold
from search_index.whoosh_fields import epoch_seconds
from search_index.whoosh_reader import ReaderState

# The fields every query word is looked up in (folded title, description and keywords).
WORD_FIELDS = ("title_f", "desc_f", "kw_f")
# The bigram fields a query's adjacent word pairs are ranked on.
PHRASE_FIELDS = ("title_bi", "desc_bi", "kw_bi", "org_bi")

# Ranking weights: a document's score is the sum of the weights of the features it has (each
# counted once per query word or adjacent word pair). Vietnamese words are phrases of
# syllables, so adjacent pairs carry the meaning:
# * a pair adjacent in the title, a keyword (tag or theme) or the description outweighs either
#   of its syllables in the title, and scores far above the syllables scattered over a
#   description ("giáo viên ... phổ thông" for "giao thông"); in the title it counts most;
# * a pair in the organization's title (only ranks: it never makes a document match) adds to
#   a keyword pair, so a theme and a publisher both named "Giao thông" rank a dataset high;
# * an exact accented match adds to the folded one, so "hòa" ranks "Hòa" above "Hoa" and
#   "điện" ranks "điện" above "điền", while "hoa" and "dien" find both.
W_TITLE_FOLDED = 3.0
W_TITLE_ACCENTED = 1.5
W_DESC_FOLDED = 1.0
W_DESC_ACCENTED = 0.5
W_KEYWORD = 1.0
W_KEYWORD_ACCENTED = 0.5
W_TITLE_PHRASE = 8.0
W_KEYWORD_PHRASE = 6.0
W_DESC_PHRASE = 5.0
W_ORG_PHRASE = 3.0


def search_state(state: ReaderState, query: SearchQuery) -> SearchPage:
    """Return one page of hits matching every word of ``query.text``, with facet counts."""
    text, total, facets, scored = evaluate(state, query)
    if query.highlight and text:
        page = tuple(_hit(state, d, s, text, query.highlight) for d, s in scored)
    else:  # hits remembered per segment (``ReaderState.plain_hits``), scored when ranked
        plain = state.plain_hits([d for d, _ in scored])
        page = tuple(
            SearchHit(id=h.id, name=h.name, score=round(s, 4), title=h.title) if s else h
            for (_, s), h in zip(scored, plain, strict=True)
        )
    return SearchPage(total=total, hits=page, facets=facets, suggestion=suggestion(state, text))


def evaluate(
    state: Any, query: SearchQuery
) -> tuple[QueryText, int, dict[str, tuple[tuple[str, int], ...]], list[tuple[int, float]]]:
    """Return the query's words, its hit count, facet counts and page of ``(docnum, score)``.

    ``state`` is a ``ReaderState`` or any object answering the same questions (the PostgreSQL
    backend's ``PostingsView``), so both backends match, count and rank alike.
    """
    text = QueryText(query.text)
    if query.match is not None:
        hits = match_bits(state, query.match)
    else:
        hits = state.live
        for word in text.folded:
            hits &= _word_bits(state, word)
    hits = _apply_filters(state, query, hits)
    total = hits.bit_count()
    facets = {f: _facet_counts(state, f, hits, query.facet_limit) for f in query.facets}
    return text, total, facets, _page(state, text, query, hits)


def query_terms(text: QueryText, match: QueryNode | None = None) -> list[tuple[str, str]]:
    """Return the ``(field, term)`` postings a search for ``text`` (and the boolean query
    ``match``) reads, to fetch them at once."""
    keys = [(field, word) for word in text.folded for field in WORD_FIELDS]
    keys += tree_terms(match) if match is not None else []
    for accented in text.accented:
        keys += [("title", accented), ("desc", accented), ("kw", accented)]
    keys += [(field, phrase) for phrase in text.phrases for field in PHRASE_FIELDS]
    return keys


def suggestion(state: Any, text: QueryText) -> str | None:
    """Return a spelling suggestion for ``text`` when some word is unknown, else None."""
    return _suggest(state, text) if text else None


def _word_bits(state: ReaderState, word: str) -> Bitset:
    bits = 0
    for field in WORD_FIELDS:
        bits |= state.term_bits(field, word)
    return bits


def _apply_filters(state: ReaderState, query: SearchQuery, hits: Bitset) -> Bitset:
    for field, values in query.filters.items():
        table = state.facet_bits(field)
        for value in values:
            hits &= table.get(nfc(value), 0)
    for field, values in query.exclude.items():
        table = state.facet_bits(field)
        for value in values:
            hits &= ~table.get(nfc(value), 0)
    if query.modified_from is not None or query.modified_to is not None:
        low = epoch_seconds(query.modified_from) if query.modified_from else -(2**63)
        high = epoch_seconds(query.modified_to) if query.modified_to else 2**63
        modified = state.column("modified")
        hits &= bitset_from_ids([d for d, m in enumerate(modified) if low <= m <= high])
    if query.overdue_at is not None:
        hits &= _overdue_bits(state, query.overdue_at)
    return hits


def _overdue_bits(state: ReaderState, now: datetime) -> Bitset:
    """Documents whose frequency has a rhythm and whose ``modified`` is past its cutoff now."""
    table = state.facet_bits("frequency")
    modified = state.column("modified")
    late: Bitset = 0
    for code, cutoff in overdue_cutoffs(now).items():
        with_code = table.get(code, 0)
        if with_code:
            limit = epoch_seconds(cutoff)
            late |= with_code & bitset_from_ids([d for d, m in enumerate(modified) if m < limit])
    return late


def _page(
    state: ReaderState, text: QueryText, query: SearchQuery, hits: Bitset
) -> list[tuple[int, float]]:
    skip, count = max(query.offset, 0), max(query.limit, 0)
    if query.sort_keys:
        return _keyed_page(state, text, query.sort_keys, hits, skip, count)
    if query.sort is SortOrder.RELEVANCE and text:
        return _relevance_page(state, text, hits, skip, count)
    name, key = _sort_key(state, query.sort if text else _browse_order(query.sort))
    docs = take_in_order(hits, lambda: state.order(name, key), key, skip, count)
    return [(d, 0.0) for d in docs]


def _keyed_page(
    state: ReaderState,
    text: QueryText,
    keys: tuple[tuple[str, bool], ...],
    hits: Bitset,
    skip: int,
    count: int,
) -> list[tuple[int, float]]:
    """Order by several keys; ``score`` first ranks by relevance, the later keys break ties.

    Without words a score means nothing: the later keys decide, else the newest first.
    """
    rest = tuple(k for k in keys if k[0] != "score")
    if keys[0][0] == "score" and text:
        tie = keyed_order(state, rest) if rest else None
        return _relevance_page(state, text, hits, skip, count, tie)
    if not rest:
        rest = (("modified", True),)
    name, key = keyed_order(state, rest)
    docs = take_in_order(hits, lambda: state.order(name, key), key, skip, count)
    return [(d, 0.0) for d in docs]


def _hit(
    state: ReaderState, docnum: int, score: float, text: QueryText, highlight: bool
) -> SearchHit:
    stored = state.stored(docnum)
    snippets: dict[str, str] = {}
    if highlight and text:
        candidates = {
            "title": (stored["title_vi"], stored["title_en"]),
            "description": (stored["description_vi"], stored["description_en"]),
        }
        snippets = highlight_fields(candidates, set(text.folded))
    return SearchHit(
        id=stored["id"],
        name=stored["name"],
        score=round(score, 4),
        highlights=snippets,
        title=stored["title_vi"],
    )


def _suggest(state: ReaderState, text: QueryText) -> str | None:
    if all(state.is_known_term(WORD_FIELDS, w) for w in text.folded):
        return None
    vocabulary = _vocabulary(state)
    forms = _accented(state) if text.has_accents() else {}
    return suggest_words(
        text.typed,
        text.folded,
        lambda w: state.is_known_term(WORD_FIELDS, w),
        lambda w: vocabulary.get((w[:1], len(w)), []) + _near(vocabulary, w),
        lambda term: forms.get(term, term),
    )


def _accented(state: ReaderState) -> dict[str, str]:
    """Return the most frequent accented spelling of each folded word, per generation."""
    found: dict[str, str] | None = state.memo.get("accented")
    if found is not None:
        return found
    best: dict[str, tuple[int, str]] = {}
    for field in ("title", "desc"):
        for term, frequency in state.lexicon(field):
            folded = vn_fold(term)
            if frequency > best.get(folded, (0, ""))[0]:
                best[folded] = (frequency, term)
    forms = {folded: term for folded, (_, term) in best.items()}
    state.memo["accented"] = forms
    return forms


def _browse_order(sort: SortOrder) -> SortOrder:
    """Without words relevance means nothing: list the newest first."""
    return SortOrder.MODIFIED if sort is SortOrder.RELEVANCE else sort


def _sort_key(state: ReaderState, sort: SortOrder) -> tuple[str, Callable[[int], Any]]:
    """Return an order's cache name and its key over document numbers (ties: docnum)."""
    if sort is SortOrder.TITLE:
        titles = state.column("title_sort")
        return "title", lambda d: (titles[d], d)
    if sort is SortOrder.ID:
        # Not a column: read stored ids once per reader generation (the order is cached).
        return "id", lambda d: (state.stored(d)["id"], d)
    if sort is SortOrder.POPULARITY:
        popularity, modified = state.column("popularity"), state.column("modified")
        return "popularity", lambda d: (-popularity[d], -modified[d], d)
    if sort is SortOrder.RELEVANCE:
        words, popularity = state.column("title_words"), state.column("popularity")
        return "prior", lambda d: (words[d], -popularity[d], d)
    modified = state.column("modified")
    return "modified", lambda d: (-modified[d], d)


def _relevance_page(
    state: ReaderState,
    text: QueryText,
    hits: Bitset,
    skip: int,
    count: int,
    tie: tuple[str, Callable[[int], Any]] | None = None,
) -> list[tuple[int, float]]:
    """Rank ``hits`` by weighted features; equal scores fall back to ``tie`` (an order's cache
    name and key), by default the prior order."""
    features: list[tuple[float, Bitset]] = []
    for accented, folded in zip(text.accented, text.folded, strict=True):
        features.append((W_TITLE_FOLDED, state.term_bits("title_f", folded)))
        features.append((W_TITLE_ACCENTED, state.term_bits("title", accented)))
        features.append((W_DESC_FOLDED, state.term_bits("desc_f", folded)))
        features.append((W_DESC_ACCENTED, state.term_bits("desc", accented)))
        features.append((W_KEYWORD, state.term_bits("kw_f", folded)))
        features.append((W_KEYWORD_ACCENTED, state.term_bits("kw", accented)))
    for phrase in text.phrases:
        features.append((W_TITLE_PHRASE, state.term_bits("title_bi", phrase)))
        features.append((W_DESC_PHRASE, state.term_bits("desc_bi", phrase)))
        features.append((W_KEYWORD_PHRASE, state.term_bits("kw_bi", phrase)))
        features.append((W_ORG_PHRASE, state.term_bits("org_bi", phrase)))
    merged: dict[float, Bitset] = {}
    for score, members in top_groups(hits, [f for f in features if f[1]], skip + count):
        merged[score] = merged.get(score, 0) | members
    name, key = tie or _sort_key(state, SortOrder.RELEVANCE)
    out: list[tuple[int, float]] = []
    for score in sorted(merged, reverse=True):
        members = merged[score]
        size = members.bit_count()
        if skip >= size:
            skip -= size
            continue
        docs = take_in_order(members, lambda: state.order(name, key), key, skip, count - len(out))
        out.extend((d, score) for d in docs)
        skip = 0
        if len(out) >= count:
            break
    return out


def _facet_counts(
    state: ReaderState, field: str, hits: Bitset, limit: int
) -> tuple[tuple[str, int], ...]:
    """Count every hit per value of ``field``; most frequent first, then by value."""
    if not hits:
        return ()
    counts = [(value, (hits & bits).bit_count()) for value, bits in state.facet_bits(field).items()]
    ordered = sorted((c for c in counts if c[1]), key=lambda c: (-c[1], c[0]))
    return tuple(ordered if limit < 0 else ordered[:limit])


def _near(vocabulary: dict[tuple[str, int], list[tuple[str, int]]], word: str) -> list[Any]:
    """Return vocabulary terms of neighbouring lengths sharing ``word``'s first letter."""
    out: list[tuple[str, int]] = []
    for delta in (-2, -1, 1, 2):
        out.extend(vocabulary.get((word[:1], len(word) + delta), []))
    return out


def _vocabulary(state: ReaderState) -> dict[tuple[str, int], list[tuple[str, int]]]:
    """Return the folded vocabulary bucketed by first letter and length, once per generation."""
    found: dict[tuple[str, int], list[tuple[str, int]]] | None = state.memo.get("vocabulary")
    if found is not None:
        return found
    buckets: dict[tuple[str, int], list[tuple[str, int]]] = {}
    for term, frequency in state.lexicon("title_f") + state.lexicon("desc_f"):
        buckets.setdefault((term[:1], len(term)), []).append((term, frequency))
    state.memo["vocabulary"] = buckets
    return buckets
