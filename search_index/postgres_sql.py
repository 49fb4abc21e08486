"""Tables of the PostgreSQL backend and the rows and postings it writes for a document.

``documents`` holds each dataset's fields and its document number (``docnum``, a small integer
reused after deletion). ``postings`` holds, per ``(field, term)``, the set of document numbers
as a bitmap (``bytea``, bit ``d`` = byte ``d // 8``, bit ``d % 8``): the terms are exactly those
the Whoosh backend indexes (``whoosh_fields``), so both backends match, count and rank alike.
The row ``('', '')`` is the set of live documents. ``state`` holds the index's ``epoch`` (new at
each rebuild) and ``generation`` (bumped by every write); rows of ``documents`` and
``postings`` carry the generation that last wrote them, so a server's cache can tell what
changed since it last looked.
"""

from __future__ import annotations

from typing import Any

from psycopg import sql

from search_index.documents import FACET_FIELDS, SearchDocument
from search_index.text import VietnameseTokenizer, folded_words, nfc, vn_fold
from search_index.whoosh_fields import document_fields

# The columns of ``documents`` in the order ``document_row`` gives them.
DOCUMENT_COLUMNS: tuple[str, ...] = (
    "docnum",
    "generation",
    "id",
    "name",
    "title_vi",
    "title_en",
    "description_vi",
    "description_en",
    "organization",
    "organization_title",
    "tags",
    "themes",
    "res_formats",
    "license_id",
    "access_level",
    "frequency",
    "places",
    "created",
    "modified",
    "popularity",
    "title_sort",
    "title_words",
)
# What ``document_from_row`` reads back to find a stored document's postings.
SOURCE_COLUMNS: tuple[str, ...] = DOCUMENT_COLUMNS[2:19]
# The key of the postings row holding every live document.
LIVE = ("", "")
# Text fields and the tokenizer mode of each (as ``whoosh_fields.build_schema``).
_TEXT_FIELDS: dict[str, str] = {
    "title": "accented",
    "title_f": "folded",
    "title_bi": "bigram",
    "desc": "accented",
    "desc_f": "folded",
    "desc_bi": "bigram",
    "kw": "accented",
    "kw_f": "folded",
    "kw_bi": "bigram",
    "org_bi": "bigram",
    **dict.fromkeys(FACET_FIELDS, "exact"),
}
_TOKENIZERS = {mode: VietnameseTokenizer(mode) for mode in set(_TEXT_FIELDS.values())}


def schema_statements(schema: str) -> list[sql.Composed]:
    """Return the idempotent statements creating the schema, its tables and indexes."""
    s = sql.Identifier(schema)
    statements = [
        "CREATE SCHEMA IF NOT EXISTS {s}",
        """CREATE TABLE IF NOT EXISTS {s}.documents (
            docnum integer NOT NULL UNIQUE,
            generation bigint NOT NULL,
            id text PRIMARY KEY,
            name text NOT NULL,
            title_vi text NOT NULL,
            title_en text NOT NULL,
            description_vi text NOT NULL,
            description_en text NOT NULL,
            organization text NOT NULL,
            organization_title text NOT NULL,
            tags text[] NOT NULL,
            themes text[] NOT NULL,
            res_formats text[] NOT NULL,
            license_id text NOT NULL,
            access_level text NOT NULL,
            frequency text NOT NULL,
            places text[] NOT NULL,
            created timestamptz NOT NULL,
            modified timestamptz NOT NULL,
            popularity bigint NOT NULL,
            title_sort text NOT NULL,
            title_words integer NOT NULL
        )""",
        "CREATE INDEX IF NOT EXISTS documents_generation ON {s}.documents (generation)",
        """CREATE TABLE IF NOT EXISTS {s}.postings (
            field text NOT NULL,
            term text NOT NULL,
            bits bytea NOT NULL,
            generation bigint NOT NULL,
            PRIMARY KEY (field, term)
        )""",
        "CREATE INDEX IF NOT EXISTS postings_generation ON {s}.postings (generation)",
        """CREATE TABLE IF NOT EXISTS {s}.state (
            one boolean PRIMARY KEY DEFAULT TRUE CHECK (one),
            epoch text NOT NULL,
            generation bigint NOT NULL
        )""",
        "INSERT INTO {s}.state (epoch, generation) VALUES (md5(random()::text), 0) "
        "ON CONFLICT DO NOTHING",
        "INSERT INTO {s}.postings (field, term, bits, generation) VALUES ('', '', '', 0) "
        "ON CONFLICT DO NOTHING",
    ]
    return [sql.SQL(statement).format(s=s) for statement in statements]


def posting_keys(doc: SearchDocument) -> set[tuple[str, str]]:
    """Return the ``(field, term)`` postings holding ``doc`` (the Whoosh backend's terms)."""
    fields = document_fields(doc)
    keys: set[tuple[str, str]] = set()
    for field, mode in _TEXT_FIELDS.items():
        keys.update((field, term) for term in _TOKENIZERS[mode].terms(fields[field]))
    return keys


def document_row(doc: SearchDocument, docnum: int, generation: int) -> tuple[Any, ...]:
    """Return the ``documents`` row of ``doc`` in ``DOCUMENT_COLUMNS`` order."""
    title_vi = nfc(doc.title_vi)
    return (
        docnum,
        generation,
        doc.id,
        doc.name,
        title_vi,
        nfc(doc.title_en),
        nfc(doc.description_vi),
        nfc(doc.description_en),
        nfc(doc.organization),
        nfc(doc.organization_title),
        [nfc(t) for t in doc.tags],
        [nfc(t) for t in doc.themes],
        [nfc(f) for f in doc.res_formats],
        nfc(doc.license_id),
        doc.access_level,
        nfc(doc.frequency),
        [nfc(p) for p in doc.places],
        doc.created,
        doc.modified,
        doc.popularity,
        vn_fold(title_vi).lower(),
        len(folded_words(title_vi)),
    )


def document_from_row(row: tuple[Any, ...]) -> SearchDocument:
    """Return the stored document of a ``SOURCE_COLUMNS`` row (to find its postings)."""
    (doc_id, name, title_vi, title_en, desc_vi, desc_en, organization, organization_title, tags,
     themes, formats, license_id, access_level, frequency, places, created,
     modified) = row  # fmt: skip
    return SearchDocument(
        id=doc_id,
        name=name,
        title_vi=title_vi,
        title_en=title_en,
        description_vi=desc_vi,
        description_en=desc_en,
        organization=organization,
        organization_title=organization_title,
        tags=tuple(tags),
        themes=tuple(themes),
        res_formats=tuple(formats),
        license_id=license_id,
        created=created,
        modified=modified,
        access_level=access_level,
        frequency=frequency,
        places=tuple(places),
    )


def to_bytes(bits: int) -> bytes:
    """Return a document set as the ``bytea`` bitmap stored in ``postings``."""
    return bits.to_bytes((bits.bit_length() + 7) >> 3, "little")


def from_bytes(raw: bytes | memoryview) -> int:
    """Return the document set of a stored ``bytea`` bitmap."""
    return int.from_bytes(raw, "little")
