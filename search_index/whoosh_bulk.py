"""Write many documents into one new Whoosh segment at once, without Whoosh's posting pool.

Whoosh's ``add_document`` sends every posting through a sorting pool (temporary run files,
then a merge) and writes them one at a time, reading each document's field length back
from disk per posting: about 300 postings a dataset made a 100,000-dataset rebuild take
many minutes. Here the per-document data (stored fields, field lengths, sort columns) still
goes through Whoosh's per-document writer, but postings are collected in memory as arrays
of document numbers per term, in document order, and written term by term, a block of
postings at a time, through Whoosh's own codec objects: the segment on disk is the one
``add_document`` would have written (``tests/search_index/test_whoosh_bulk.py`` compares
them posting by posting).

Memory is bounded by the segment size (``DOCS_PER_SEGMENT``, ``WhooshIndex.segment_docs``): a
larger input is written as several segments, two at a time in worker processes.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import sys
from array import array
from bisect import bisect_left
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice
from pathlib import Path
from typing import Any

from whoosh.codec import default_codec
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.filedb.filestore import FileStorage
from whoosh.formats import Frequency
from whoosh.index import TOC, clean_files
from whoosh.util.numeric import byte_to_length, length_to_byte

from search_index.documents import SearchDocument
from search_index.text import VietnameseTokenizer, folded_lines
from search_index.whoosh_fields import INDEX_NAME, build_schema, document_fields

# Postings of this many documents are held in memory at most (about 60 MB of arrays).
DOCS_PER_SEGMENT = 25_000
# Segments written side by side (the machine's cores, at most this many).
_MAX_WORKERS = 2
_LENGTH_BYTES = [length_to_byte(length) for length in range(1024)]


class _Postings:
    """The postings of one field: per term, its document numbers in increasing order."""

    __slots__ = ("counts", "ids", "lengths", "total", "values", "weights")

    def __init__(self, documents: int) -> None:
        self.ids: dict[Any, array[int]] = {}
        # Fast-path fields: the term frequencies above 1, per term {docnum: count}.
        self.counts: dict[str, dict[int, int]] = {}
        # Other fields (Whoosh's own ``index``): weights and values, aligned with ``ids``.
        self.weights: dict[bytes, array[float]] = {}
        self.values: dict[bytes, list[bytes]] = {}
        self.lengths = bytearray(documents)  # the length byte of each document's field
        self.total = 0  # the field's length summed over the documents


def _fast_tokenizer(field: Any) -> VietnameseTokenizer | None:
    """The tokenizer of a plain frequency field of ours, whose postings are built here."""
    analyzer = field.analyzer if field.indexed else None
    if (
        isinstance(analyzer, VietnameseTokenizer)
        and type(field.format) is Frequency
        and field.format.field_boost == 1.0
        and field.scorable
        and not field.separate_spelling()
        and not field.vector
    ):
        return analyzer
    return None


def chunks(documents: Iterable[SearchDocument], size: int) -> Iterator[list[SearchDocument]]:
    """Yield lists of at most ``size`` documents."""
    iterator = iter(documents)
    while batch := list(islice(iterator, size)):
        yield batch


def write_segment(directory: str, documents: list[SearchDocument]) -> Any:
    """Write ``documents`` as one new segment of the index in ``directory`` and return the
    Whoosh ``Segment``; it joins the index when a table of contents lists it (``commit``).

    Runs in a worker process of ``build`` too: it touches only its own segment's files.
    """
    storage = FileStorage(directory)
    codec = default_codec()
    segment = codec.new_segment(storage, INDEX_NAME)
    perdoc = codec.per_document_writer(storage, segment)
    fieldwriter = codec.field_writer(storage, segment)
    count = add_documents(build_schema(), perdoc, fieldwriter, documents)
    perdoc.close()
    fieldwriter.close()
    segment.set_doc_count(count)
    segment.create_compound_file(storage)
    segment.compound = True
    return segment


def build(directory: Path, documents: Iterable[SearchDocument], segment_docs: int) -> int:
    """Write ``documents`` into the empty index in ``directory``, ``segment_docs`` a segment,
    on every core when there is more than one segment; return how many were written.

    Worker processes are fresh interpreters (a fork of a process running threads is not
    safe); only the calling process writes the table of contents, once, at the end.
    """
    workers = min(_MAX_WORKERS, os.cpu_count() or 1)
    batches = chunks(documents, segment_docs)
    first = next(batches, [])
    second = next(batches, None)
    if second is None or workers < 2:
        segments = [write_segment(str(directory), batch) for batch in (first, second) if batch]
        segments += [write_segment(str(directory), batch) for batch in batches]
    else:
        segments = []
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            pending: deque[Future[Any]] = deque()
            for batch in itertools.chain((first, second), batches):
                if len(pending) >= workers:
                    segments.append(pending.popleft().result())
                pending.append(pool.submit(write_segment, str(directory), batch))
            segments += [future.result() for future in pending]
    storage = FileStorage(str(directory))
    generation = _latest_generation(storage) + 1
    TOC(build_schema(), segments, generation).write(storage, INDEX_NAME)
    clean_files(storage, INDEX_NAME, generation, segments)
    return sum(segment.doc_count_all() for segment in segments)


def _latest_generation(storage: Any) -> int:
    return int(TOC._latest_generation(storage, INDEX_NAME))


def add_documents(schema: Any, perdoc: Any, fieldwriter: Any, documents: list[Any]) -> int:
    """Write ``documents`` through a segment's per-document and field writers; return the
    count (document numbers start at 0)."""
    names = sorted(schema.names())
    plan = [(name, schema[name], _fast_tokenizer(schema[name])) for name in names]
    postings = {name: _Postings(len(documents)) for name, field, _ in plan if field.indexed}
    for docnum, doc in enumerate(documents):
        values = document_fields(doc)
        lines: dict[str, list[list[str]]] = {}  # title, description, keywords: split once
        perdoc.start_doc(docnum)
        for name, field, tokenizer in plan:
            value = values.get(name)
            if value is None:
                continue
            length = 0
            if tokenizer is not None:
                _add_counted(postings[name], _terms(tokenizer, value, lines), docnum)
            elif field.indexed:
                length = _add_generic(postings[name], field, value, docnum)
            # Lengths of our text fields are written as whole columns below.
            perdoc.add_field(name, field, value if field.stored else None, length)
            if field.column_type:
                perdoc.add_column_value(name, field.column_type, field.to_column_value(value))
        perdoc.finish_doc()
    for name, _, tokenizer in plan:
        if tokenizer is not None and postings[name].total:
            _write_lengths(perdoc, name, postings[name])
    _write_postings(fieldwriter, plan, postings)
    return len(documents)


def _terms(tokenizer: VietnameseTokenizer, value: str, lines: dict[str, list[list[str]]]) -> Any:
    """Return ``tokenizer.terms(value)``, splitting a text into folded words once per text."""
    if tokenizer.mode not in ("folded", "bigram"):
        return tokenizer.terms(value)
    split = lines.get(value)
    if split is None:
        split = lines[value] = folded_lines(value)
    if tokenizer.mode == "bigram":
        return VietnameseTokenizer.bigram_terms(split)
    return [word for words in split for word in words]


def _write_lengths(perdoc: Any, name: str, store: _Postings) -> None:
    """Write a field's length column at once: what ``add_field`` writes document by document
    (a length byte per document, 0 for none, and the field's total length)."""
    column = _lenfield(name)
    perdoc._create_column(column, LENGTHS_COLUMN)
    writer = perdoc._get_column(column)
    used = bytes(store.lengths).rstrip(b"\0")
    writer._dbfile.write(used)
    writer._count = len(used)
    perdoc._fieldlengths[name] += store.total


def _add_counted(store: _Postings, terms: list[str], docnum: int) -> None:
    ids = store.ids
    unique = set(terms)
    if len(unique) != len(terms):
        counts = store.counts
        for term, count in Counter(terms).items():
            if count > 1:
                counts.setdefault(term, {})[docnum] = count
    for term in unique:
        found = ids.get(term)
        if found is None:
            ids[term] = array("I", (docnum,))
        else:
            found.append(docnum)
    length = len(terms)
    if length:
        store.lengths[docnum] = _LENGTH_BYTES[length] if length < 1024 else length_to_byte(length)
        store.total += length


def _add_generic(store: _Postings, field: Any, value: Any, docnum: int) -> int:
    """Add the postings of a field Whoosh's own ``index`` turns into terms (ids, numbers)."""
    ids, weights, values = store.ids, store.weights, store.values
    length = 0
    for key, count, weight, vbytes in field.index(value):
        if field.scorable:
            length += count
        found = ids.get(key)
        if found is None:
            ids[key] = array("I", (docnum,))
            weights[key] = array("f", (weight,))
            values[key] = [vbytes] if vbytes else []
        else:
            found.append(docnum)
            weights[key].append(weight)
            if vbytes:
                values[key].append(vbytes)
    if length:
        store.lengths[docnum] = length_to_byte(length)
        store.total += length
    return length


def _write_postings(fieldwriter: Any, plan: list[Any], postings: dict[str, _Postings]) -> None:
    """Write every term's postings in (field, term bytes) order, a block at a time."""
    for name, field, tokenizer in plan:
        store = postings.get(name)
        if store is None or not store.ids:
            continue
        fieldwriter.start_field(name, field)
        block_size = fieldwriter._postwriter._blocklimit
        # Terms in the order of their UTF-8 bytes, which is the order of their code points.
        for key in sorted(store.ids):
            ids = store.ids[key]
            values: list[bytes] = []
            blob = b""
            if tokenizer is not None:
                fieldwriter.start_term(key.encode("utf-8"))
                counts = array("I", [1]) * len(ids)
                for docnum, count in store.counts.get(key, {}).items():
                    counts[bisect_left(ids, docnum)] = count
                weights = array("f", counts)
                if sys.byteorder == "little":
                    counts.byteswap()  # Frequency stores each count as "!I" (big-endian)
                blob = counts.tobytes()
            else:
                fieldwriter.start_term(key)
                weights = store.weights[key]
                values = store.values[key]
                if values and len(values) != len(ids):
                    raise ValueError(f"postings of {name} with and without values")
            postwriter = fieldwriter._postwriter
            for start in range(0, len(ids), block_size):
                stop = start + block_size
                block_ids = ids[start:stop]
                _fill_block(postwriter, store.lengths, block_ids, weights[start:stop])
                if tokenizer is not None:
                    postwriter._values = [blob[start * 4 : stop * 4]]
                elif values:
                    postwriter._values = values[start:stop]
                if stop < len(ids):
                    postwriter._write_block()  # the last is written at finish
            fieldwriter.finish_term()
        fieldwriter.finish_field()


def _fill_block(postwriter: Any, lengths: bytearray, ids: array[int], weights: Any) -> None:
    """Set the buffered block of Whoosh's postings writer to these postings and their stats."""
    postwriter._new_block()
    postwriter._ids = ids
    postwriter._weights = weights if isinstance(weights, array) else array("f", weights)
    postwriter._maxweight = max(weights) if weights else 0
    present = [b for b in map(lengths.__getitem__, ids) if b] if lengths else []
    if present:
        postwriter._minlength = byte_to_length(min(present))
        postwriter._maxlength = byte_to_length(max(present))
