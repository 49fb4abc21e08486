"""The embedded default search backend: a Whoosh index in a directory.

Whoosh stores the documents, the postings of accented, folded and bigram (phrase) fields, the
facet fields and the sort columns. Queries are evaluated on bitsets built from those postings
(see ``whoosh_reader``): every word must match (folded, in title, description or keywords),
facets count every hit, and ranking sums weighted features (accented and folded matches in the
title and description, phrases from bigram terms), which Whoosh's own matchers could not do
within the latency target at 100,000 documents (BENCHMARKS.md).

Several processes may write: every write takes an ``fcntl`` lock on a file in the index
directory, and readers check the index generation on each search and reopen when it changed.
"""

from __future__ import annotations

import fcntl
import math
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from whoosh import index as whoosh_index
from whoosh.fields import ID as WHOOSH_ID
from whoosh.fields import NUMERIC, STORED, TEXT, Schema
from whoosh.writing import CLEAR

from search_index.bitsets import Bitset, bitset_from_ids, take_in_order, top_groups
from search_index.documents import (
    FACET_FIELDS,
    SearchDocument,
    SearchHit,
    SearchPage,
    SearchQuery,
    SortOrder,
)
from search_index.errors import SearchConfigError, SearchUnavailable
from search_index.snippets import highlight_fields
from search_index.suggest import suggest_words
from search_index.text import QueryText, VietnameseTokenizer, folded_words, nfc, vn_fold
from search_index.whoosh_reader import ReaderState, SegmentCache

INDEX_NAME = "opendata_v1"
_LOCK_FILE = ".opendata-writer.lock"
_LOCK_TIMEOUT_S = 60.0
_WORD_FIELDS = ("title_f", "desc_f", "kw_f")
_FACET_TO_DOC = {
    "organization": "organization",
    "tags": "tags",
    "res_format": "res_formats",
    "license_id": "license_id",
    "theme": "themes",
}

# Ranking weights. A phrase in the title outweighs scattered words ("giao thông" ranks "Dữ liệu
# giao thông" above "Thông tin giao dịch"); an exact accented match adds to the folded one, so
# "hòa" ranks "Hòa" above "Hoa" while "hoa" finds both.
W_TITLE_FOLDED = 3.0
W_TITLE_ACCENTED = 1.5
W_DESC_FOLDED = 1.0
W_DESC_ACCENTED = 0.5
W_KEYWORD = 1.0
W_TITLE_PHRASE = 4.0
W_DESC_PHRASE = 1.5


def _text(mode: str) -> Any:
    return TEXT(analyzer=VietnameseTokenizer(mode), phrase=False)


def build_schema() -> Any:
    """Return the Whoosh schema: stored originals, accented/folded/bigram text, facets, sorts."""
    return Schema(
        id=WHOOSH_ID(stored=True, unique=True),
        name=STORED(),
        title_vi=STORED(),
        title_en=STORED(),
        description_vi=STORED(),
        description_en=STORED(),
        title=_text("accented"),
        title_f=_text("folded"),
        title_bi=_text("bigram"),
        desc=_text("accented"),
        desc_f=_text("folded"),
        desc_bi=_text("bigram"),
        kw_f=_text("folded"),
        **{facet: _text("exact") for facet in FACET_FIELDS},
        modified=NUMERIC(bits=64, sortable=True, signed=True),
        popularity=NUMERIC(bits=64, sortable=True, signed=True),
        title_words=NUMERIC(bits=32, sortable=True),
        title_sort=WHOOSH_ID(sortable=True),
    )


def _epoch(moment: datetime) -> int:
    """Return whole seconds since the epoch; naive datetimes are taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return math.floor(moment.timestamp())


def document_fields(doc: SearchDocument) -> dict[str, Any]:
    """Return the Whoosh field values of ``doc``."""
    title = nfc(doc.title_vi) + "\n" + nfc(doc.title_en)
    description = nfc(doc.description_vi) + "\n" + nfc(doc.description_en)
    fields: dict[str, Any] = {
        "id": doc.id,
        "name": doc.name,
        "title_vi": nfc(doc.title_vi),
        "title_en": nfc(doc.title_en),
        "description_vi": nfc(doc.description_vi),
        "description_en": nfc(doc.description_en),
        "title": title,
        "title_f": title,
        "title_bi": title,
        "desc": description,
        "desc_f": description,
        "desc_bi": description,
        "kw_f": "\n".join(nfc(v) for v in (*doc.tags, *doc.themes)),
        "modified": _epoch(doc.modified),
        "popularity": doc.popularity,
        "title_words": len(folded_words(doc.title_vi)),
        "title_sort": vn_fold(nfc(doc.title_vi)).lower(),
    }
    for facet, attribute in _FACET_TO_DOC.items():
        value = getattr(doc, attribute)
        values = (value,) if isinstance(value, str) else value
        fields[facet] = "\x1f".join(nfc(v) for v in values if v)
    return fields


class WhooshIndex:
    """A ``SearchIndex`` in a local directory, shared safely by several processes."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()  # lends reader states; held only for moments
        self._write_lock = threading.Lock()  # one writer per process (fcntl: per index)
        self._caches: dict[str, SegmentCache] = {}
        self._state: ReaderState | None = None
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            if not whoosh_index.exists_in(self.path, INDEX_NAME):
                with self._writer_lock():
                    if not whoosh_index.exists_in(self.path, INDEX_NAME):
                        whoosh_index.create_in(self.path, build_schema(), INDEX_NAME)
            self._index = whoosh_index.open_dir(self.path, INDEX_NAME)
        except OSError as exc:
            raise SearchUnavailable(f"cannot open the search index: {exc.strerror}") from exc

    @classmethod
    def from_url(cls, url: str) -> WhooshIndex:
        """Open ``whoosh:///absolute/path`` (or ``whoosh://relative/path``), creating it."""
        parts = urlsplit(url)
        if parts.scheme != "whoosh":
            raise SearchConfigError(f"not a whoosh URL (scheme {parts.scheme!r})")
        path = unquote(parts.netloc + parts.path)
        if not path:
            raise SearchConfigError("the whoosh search URL names no directory")
        return cls(Path(path))

    # -- writing ---------------------------------------------------------------------------

    @contextmanager
    def _writer_lock(self) -> Iterator[None]:
        """Hold the index's writer lock, shared by every process and thread."""
        with self._write_lock, open(self.path / _LOCK_FILE, "a+b") as handle:
            deadline = time.monotonic() + _LOCK_TIMEOUT_S
            while True:
                try:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise SearchUnavailable("the search index stayed locked") from None
                    time.sleep(0.01)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def _write(self, action: Callable[[Any], int], clear: bool = False) -> int:
        with self._writer_lock():
            try:
                writer = self._index.writer(limitmb=256)
            except OSError as exc:
                raise SearchUnavailable("cannot write the search index") from exc
            try:
                count = action(writer)
            except BaseException:
                writer.cancel()
                raise
            writer.commit(mergetype=CLEAR) if clear else writer.commit()
            return count

    def upsert(self, documents: Iterable[SearchDocument]) -> None:
        """Add or replace documents by id; visible to every process's next search."""

        def add(writer: Any) -> int:
            count = 0
            for doc in documents:
                writer.update_document(**document_fields(doc))
                count += 1
            return count

        self._write(add)

    def delete(self, ids: Iterable[str]) -> None:
        """Remove documents by id; unknown ids are ignored."""

        def remove(writer: Any) -> int:
            for doc_id in ids:
                writer.delete_by_term("id", doc_id)
            return 0

        self._write(remove)

    def replace_all(self, documents: Iterable[SearchDocument]) -> int:
        """Replace the whole index in one commit; searches see the old index until it lands."""

        def add_all(writer: Any) -> int:
            count = 0
            for doc in documents:
                writer.add_document(**document_fields(doc))
                count += 1
            return count

        return self._write(add_all, clear=True)

    # -- reading ---------------------------------------------------------------------------

    def _current(self) -> ReaderState:
        """Return the reader state of the latest generation, reopening when it changed.

        Called with ``self._lock`` held. A replaced state is closed by its last reader.
        """
        state = self._state
        try:
            latest = self._index.latest_generation()
            if state is None or state.generation != latest:
                fresh = ReaderState(self._index.reader(), self._caches)
                if state is not None:
                    self._retire(state)
                self._state = state = fresh
        except OSError as exc:
            raise SearchUnavailable("cannot read the search index") from exc
        return state

    def _retire(self, state: ReaderState) -> None:
        state.retired = True
        if state.readers == 0:
            state.close()

    @contextmanager
    def _reading(self, fresh: bool = False) -> Iterator[ReaderState]:
        """Lend the current reader state for one search; the lock is held only to lend it.

        Searches run side by side on the same state (``ReaderState`` guards its own caches),
        so a long search never makes the others wait; ``fresh`` drops the current state first.
        """
        with self._lock:
            if fresh and self._state is not None:
                self._retire(self._state)
                self._state = None
            state = self._current()
            state.readers += 1
        try:
            yield state
        finally:
            with self._lock:
                state.readers -= 1
                if state.retired and state.readers == 0:
                    state.close()

    def count(self) -> int:
        """Return how many documents the index holds."""
        with self._reading() as state:
            return int(state.doc_count())

    def ping(self) -> None:
        """Raise ``SearchUnavailable`` when the index cannot be read."""
        with self._lock:
            if not whoosh_index.exists_in(self.path, INDEX_NAME):
                raise SearchUnavailable("the search index is missing")
            self._current()

    def close(self) -> None:
        """Release open files; the object must not be used afterwards."""
        with self._lock:
            if self._state is not None:
                self._retire(self._state)
                self._state = None
            self._index.close()

    def search(self, query: SearchQuery) -> SearchPage:
        """Return one page of hits matching every word of ``query.text``, with facet counts."""
        try:
            with self._reading() as state:
                return self._search(state, query)
        except (OSError, EOFError):
            # A merge in another process may have removed files this reader had not
            # opened yet: reopen once on the latest generation.
            try:
                with self._reading(fresh=True) as state:
                    return self._search(state, query)
            except (OSError, EOFError) as exc:
                raise SearchUnavailable("cannot read the search index") from exc

    def _search(self, state: ReaderState, query: SearchQuery) -> SearchPage:
        text = QueryText(query.text)
        hits = state.live
        for word in text.folded:
            hits &= self._word_bits(state, word)
        hits = self._apply_filters(state, query, hits)
        total = hits.bit_count()
        facets = {f: _facet_counts(state, f, hits, query.facet_limit) for f in query.facets}
        scored = self._page(state, text, query, hits)
        page = tuple(self._hit(state, d, s, text, query.highlight) for d, s in scored)
        suggestion = self._suggest(state, text) if text else None
        return SearchPage(total=total, hits=page, facets=facets, suggestion=suggestion)

    def _word_bits(self, state: ReaderState, word: str) -> Bitset:
        bits = 0
        for field in _WORD_FIELDS:
            bits |= state.term_bits(field, word)
        return bits

    def _apply_filters(self, state: ReaderState, query: SearchQuery, hits: Bitset) -> Bitset:
        for field, values in query.filters.items():
            table = state.facet_bits(field)
            for value in values:
                hits &= table.get(nfc(value), 0)
        for field, values in query.exclude.items():
            table = state.facet_bits(field)
            for value in values:
                hits &= ~table.get(nfc(value), 0)
        if query.modified_from is not None or query.modified_to is not None:
            low = _epoch(query.modified_from) if query.modified_from else -(2**63)
            high = _epoch(query.modified_to) if query.modified_to else 2**63
            modified = state.column("modified")
            hits &= bitset_from_ids([d for d, m in enumerate(modified) if low <= m <= high])
        return hits

    def _page(
        self, state: ReaderState, text: QueryText, query: SearchQuery, hits: Bitset
    ) -> list[tuple[int, float]]:
        skip, count = max(query.offset, 0), max(query.limit, 0)
        if query.sort is SortOrder.RELEVANCE and text:
            return _relevance_page(state, text, hits, skip, count)
        name, key = _sort_key(state, query.sort if text else _browse_order(query.sort))
        docs = take_in_order(hits, lambda: state.order(name, key), key, skip, count)
        return [(d, 0.0) for d in docs]

    def _hit(
        self, state: ReaderState, docnum: int, score: float, text: QueryText, highlight: bool
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

    def _suggest(self, state: ReaderState, text: QueryText) -> str | None:
        if all(state.is_known_term(_WORD_FIELDS, w) for w in text.folded):
            return None
        vocabulary = _vocabulary(state)
        forms = self._accented(state) if text.has_accents() else {}
        return suggest_words(
            text.typed,
            text.folded,
            lambda w: state.is_known_term(_WORD_FIELDS, w),
            lambda w: vocabulary.get((w[:1], len(w)), []) + _near(vocabulary, w),
            lambda term: forms.get(term, term),
        )

    def _accented(self, state: ReaderState) -> dict[str, str]:
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
    state: ReaderState, text: QueryText, hits: Bitset, skip: int, count: int
) -> list[tuple[int, float]]:
    """Rank ``hits`` by weighted features; equal scores fall back to the prior order."""
    features: list[tuple[float, Bitset]] = []
    for accented, folded in zip(text.accented, text.folded, strict=True):
        features.append((W_TITLE_FOLDED, state.term_bits("title_f", folded)))
        features.append((W_TITLE_ACCENTED, state.term_bits("title", accented)))
        features.append((W_DESC_FOLDED, state.term_bits("desc_f", folded)))
        features.append((W_DESC_ACCENTED, state.term_bits("desc", accented)))
        features.append((W_KEYWORD, state.term_bits("kw_f", folded)))
    for phrase in text.phrases:
        features.append((W_TITLE_PHRASE, state.term_bits("title_bi", phrase)))
        features.append((W_DESC_PHRASE, state.term_bits("desc_bi", phrase)))
    merged: dict[float, Bitset] = {}
    for score, members in top_groups(hits, [f for f in features if f[1]], skip + count):
        merged[score] = merged.get(score, 0) | members
    name, key = _sort_key(state, SortOrder.RELEVANCE)
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


def index_size_bytes(path: Path) -> int:
    """Return the bytes used by the files of the index directory."""
    return sum(entry.stat().st_size for entry in os.scandir(path) if entry.is_file())
