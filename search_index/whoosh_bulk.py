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
from array import array
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice
from pathlib import Path
from typing import Any

from whoosh.codec import default_codec
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.filedb.filestore import FileStorage
from whoosh.formats import Existence, Frequency
from whoosh.index import TOC, clean_files
from whoosh.util.numeric import byte_to_length, length_to_byte

from search_index.documents import SearchDocument
from search_index.text import VietnameseTokenizer, accented_words, fold_word, folded_lines
from search_index.whoosh_fields import INDEX_NAME, build_schema, document_fields
from search_index.whoosh_postings import FieldPostings, write_field

# Postings of this many documents are held in memory at most (about 60 MB of arrays).
DOCS_PER_SEGMENT = 25_000
# Segments written side by side (the machine's cores, at most this many).
_MAX_WORKERS = 2
_LENGTH_BYTES = [length_to_byte(length) for length in range(1024)]


class _Postings:
    """The postings of a field Whoosh's own ``index`` turns into terms (ids): per term, its
    document numbers in increasing order (our text fields: ``FieldPostings``)."""

    __slots__ = ("ids", "lengths", "total", "values", "weights")

    def __init__(self, documents: int) -> None:
        self.ids: dict[bytes, array[int]] = {}
        # Weights and values, aligned with ``ids``.
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


def _keys_only(field: Any) -> bool:
    """Whether a field's postings carry nothing but document numbers (``ID``: identifiers),
    so they are gathered and written like our text fields' (``FieldPostings``)."""
    return bool(
        field.indexed
        and type(field.format) is Existence
        and field.format.field_boost == 1.0
        and not field.scorable
        and not field.separate_spelling()
        and not field.vector
    )


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
    plan = [
        (name, schema[name], _fast_tokenizer(schema[name]), _keys_only(schema[name]))
        for name in names
    ]
    postings: dict[str, Any] = {
        name: FieldPostings(len(documents)) if tokenizer or keys else _Postings(len(documents))
        for name, field, tokenizer, keys in plan
        if field.indexed
    }
    texts = [(name, tokenizer, postings[name]) for name, _, tokenizer, _ in plan if tokenizer]
    keyed = [(name, field, postings[name]) for name, field, _, keys in plan if keys]
    # Everything Whoosh's per-document writer keeps: stored values, lengths, sort columns.
    others = [
        (name, field, postings.get(name), field.column_type)
        for name, field, tokenizer, keys in plan
        if field.stored or field.column_type or (field.indexed and not tokenizer and not keys)
    ]
    for docnum, doc in enumerate(documents):
        values = document_fields(doc)
        words: dict[str, Any] = {}  # title, description, keywords: split once per text
        for name, analyzer, store in texts:
            value = values.get(name)
            if value is not None:
                terms = _terms(analyzer, value, words)
                count = len(terms)
                store.add(
                    terms, docnum, _LENGTH_BYTES[count] if count < 1024 else length_to_byte(count)
                )
        for name, field, store in keyed:
            value = values.get(name)
            if value is not None:
                store.add([key for key, _, _, _ in field.index(value)], docnum, 0)
        perdoc.start_doc(docnum)
        for name, field, store, column in others:
            value = values.get(name)
            if value is None:
                continue
            length = 0
            if store is not None and not isinstance(store, FieldPostings):
                length = _add_generic(store, field, value, docnum)
            perdoc.add_field(name, field, value if field.stored else None, length)
            if column:
                perdoc.add_column_value(name, column, field.to_column_value(value))
        perdoc.finish_doc()
    for name, _, tokenizer, _ in plan:
        if tokenizer is not None and postings[name].total:
            _write_lengths(perdoc, name, postings[name])
    _write_postings(fieldwriter, plan, postings)
    return len(documents)


def _terms(tokenizer: VietnameseTokenizer, value: str, words: dict[Any, Any]) -> list[str]:
    """Return ``tokenizer.terms(value)``, splitting a text into words once: a text's folded
    words are its accented words folded (folding drops the marks tone placement moves)."""
    mode = tokenizer.mode
    if mode == "exact":
        return tokenizer.terms(value)
    if mode == "accented":
        accented = words.get(("accented", value))
        if accented is None:
            accented = words["accented", value] = [
                accented_words(line) for line in value.split("\n")
            ]
        return [word for line in accented for word in line]
    split = words.get(value)
    if split is None:
        accented = words.get(("accented", value))
        if accented is None:
            split = folded_lines(value)
        else:
            split = [[w if w.isascii() else fold_word(w) for w in line] for line in accented]
        words[value] = split
    if mode == "bigram":
        return VietnameseTokenizer.bigram_terms(split)
    return [word for line in split for word in line]


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


def _write_postings(fieldwriter: Any, plan: list[Any], postings: dict[str, Any]) -> None:
    """Write every term's postings in (field, term bytes) order, a block at a time."""
    for name, field, tokenizer, keys in plan:
        store = postings.get(name)
        if store is None:
            continue
        if tokenizer is not None or keys:
            write_field(fieldwriter, name, field, store)
            continue
        if not store.ids:
            continue
        fieldwriter.start_field(name, field)
        block_size = fieldwriter._postwriter._blocklimit
        # Terms in the order of their bytes.
        for key in sorted(store.ids):
            ids = store.ids[key]
            fieldwriter.start_term(key)
            weights = store.weights[key]
            values = store.values[key]
            if values and len(values) != len(ids):
                raise ValueError(f"postings of {name} with and without values")
            postwriter = fieldwriter._postwriter
            for start in range(0, len(ids), block_size):
                stop = start + block_size
                _fill_block(postwriter, store.lengths, ids[start:stop], weights[start:stop])
                if values:
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
