"""The postings of our text fields, gathered as flat arrays and written a field at a time.

A rebuild (``whoosh_bulk``) sees about 300 postings a dataset. Adding each to a per-term list
in Python was a quarter of the build, and Whoosh's block writer (a Python delta encoding and
weight scan per block) another quarter. Here a document's terms become term numbers in C
(``map`` over a ``defaultdict``), appended to one array per field; at the end one stable sort
groups them by term, and each block's statistics (lowest and highest weight and length, sums)
come from ``numpy`` reductions over the whole field. What is written is exactly what Whoosh's
``W3PostingsWriter`` writes for the same postings (same pickled, zlib-compressed blocks and
term infos): ``tests/search_index/test_whoosh_bulk.py`` compares them with Whoosh's own.
"""

from __future__ import annotations

import itertools
import zlib
from array import array
from collections import defaultdict
from pickle import dumps
from typing import Any

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermInfo
from whoosh.system import pack_int, pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte

# A length byte's smallest length, as Whoosh's block statistics keep it, and back to a byte.
_BYTE_LENGTH = [byte_to_length(byte) for byte in range(256)]
_LENGTH_BYTE = [length_to_byte(length) for length in _BYTE_LENGTH]


class FieldPostings:
    """The postings of one frequency field of ours (or of an identifier field: terms are
    then bytes, each once per document), document by document, in order."""

    __slots__ = ("lengths", "numbers", "per_doc", "terms", "total")

    def __init__(self, documents: int) -> None:
        # Term -> term number, numbered as first seen.
        self.terms: defaultdict[str | bytes, int] = defaultdict(itertools.count().__next__)
        self.numbers = array("I")  # term number of each occurrence, documents in order
        self.per_doc = array("I", bytes(4 * documents))  # occurrences in each document
        self.lengths = bytearray(documents)  # the length byte of each document's field
        self.total = 0  # the field's length summed over the documents

    def add(self, terms: list[Any], docnum: int, length_byte: int) -> None:
        """Add document ``docnum``'s ``terms`` (in any order, repeated as often as they occur);
        repeats are counted when the field is written."""
        self.numbers.extend(map(self.terms.__getitem__, terms))
        length = len(terms)
        self.per_doc[docnum] = length
        self.lengths[docnum] = length_byte
        self.total += length


def write_field(fieldwriter: Any, name: str, field: Any, store: FieldPostings) -> None:
    """Write ``store``'s postings as field ``name`` through Whoosh's field writer, terms in
    the order of their UTF-8 bytes (the order of their code points). The field's format
    stores each count (``Frequency``) or nothing (``Existence``) as a posting's value."""
    if not store.numbers:
        return
    import numpy as np  # here: only a rebuild writes postings; every process imports this

    per_doc = np.frombuffer(store.per_doc, dtype=np.uint32)
    documents = len(per_doc)
    docs_of = np.repeat(np.arange(documents, dtype=np.int64), per_doc)
    # One key per occurrence, ordered by term, then document; a repeat is the same key.
    keys = np.frombuffer(store.numbers, dtype=np.uint32).astype(np.int64) * documents + docs_of
    keys, counts = np.unique(keys, return_counts=True)
    numbers, docs = np.divmod(keys, documents)
    lengths = np.frombuffer(bytes(store.lengths), dtype=np.uint8)[docs]
    frequency = np.bincount(numbers, minlength=len(store.terms))
    starts = np.cumsum(frequency) - frequency
    # Blocks of at most ``block_size`` postings, each term's first block at its start.
    fieldwriter.start_field(name, field)
    postwriter = fieldwriter._postwriter
    block_size = postwriter._blocklimit
    compression = postwriter._compression
    blocks = (frequency + block_size - 1) // block_size
    first_block = np.cumsum(blocks) - blocks
    term_of_block = np.repeat(np.arange(len(frequency)), blocks)
    block_starts = starts[term_of_block] + (
        np.arange(len(term_of_block)) - first_block[term_of_block]
    ) * np.int64(block_size)
    deltas = np.diff(docs, prepend=0)  # each block's first id is whole (Whoosh's delta_encode)
    deltas[block_starts] = docs[block_starts]
    low_count = np.minimum.reduceat(counts, block_starts).tolist()
    high_count = np.maximum.reduceat(counts, block_starts).tolist()
    low_length = np.minimum.reduceat(lengths, block_starts).tolist()
    high_length = np.maximum.reduceat(lengths, block_starts).tolist()
    # Frequency stores each count as "!I"; Existence stores no value (None in a block).
    with_values = field.format.fixed_value_size() != 0
    values = counts.astype(">u4").tobytes() if with_values else b""
    starts_list, frequency_list = starts.tolist(), frequency.tolist()
    first_list, blocks_list = first_block.tolist(), blocks.tolist()
    block_list = block_starts.tolist()
    postfile, tindex = fieldwriter._postfile, fieldwriter._tindex
    prefix = pack_ushort(fieldwriter._fieldid)
    for term in sorted(store.terms):
        number = store.terms[term]
        start, stop = starts_list[number], starts_list[number] + frequency_list[number]
        offset = postfile.tell()
        parts = [WHOOSH3_HEADER_MAGIC]
        first, last = first_list[number], first_list[number] + blocks_list[number]
        for block in range(first, last):
            begin = block_list[block]
            end = min(begin + block_size, stop)
            low, high = low_count[block], high_count[block]
            if high == 1:
                weights: Any = None
            elif low == high:
                weights = float(high)
            else:
                weights = tuple(map(float, counts[begin:end].tolist()))
            value = values[begin * 4 : end * 4] if with_values else None
            data = dumps((tuple(deltas[begin:end].tolist()), weights, value), 2)
            if compression:
                data = zlib.compress(data, compression)
            info = dumps(
                (
                    end - begin,
                    int(docs[end - 1]),
                    float(high),
                    compression,
                    _LENGTH_BYTE[low_length[block]],
                    _LENGTH_BYTE[high_length[block]],
                ),
                2,
            )
            size = len(info) + len(data)
            parts += (pack_int(-size if block == last - 1 else size), info, data)
        postfile.write(b"".join(parts))
        terminfo = W3TermInfo(
            weight=float(sum(counts[start:stop].tolist())),
            df=stop - start,
            minlength=_BYTE_LENGTH[min(low_length[first:last])],
            maxlength=_BYTE_LENGTH[max(high_length[first:last])],
            maxweight=float(max(high_count[first:last])),
            minid=int(docs[start]),
            maxid=int(docs[stop - 1]),
        )
        terminfo.set_extent(offset, postfile.tell() - offset)
        key = term.encode("utf-8") if isinstance(term, str) else term
        tindex.add(prefix + key, terminfo.to_bytes())
    fieldwriter.finish_field()
