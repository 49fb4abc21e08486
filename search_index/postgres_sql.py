"""Table definitions and the tsvector/tsquery text the PostgreSQL backend stores and sends."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from psycopg import sql

from search_index.documents import SearchDocument
from search_index.text import accented_words, folded_words, nfc, vn_fold

# facet field → (column, is an array column)
FACET_COLUMNS: dict[str, tuple[str, bool]] = {
    "organization": ("organization", False),
    "tags": ("tags", True),
    "res_format": ("res_formats", True),
    "license_id": ("license_id", False),
    "theme": ("themes", True),
    "access_level": ("access_level", False),
}
# The columns of ``documents`` in the order ``document_row`` gives them.
DOCUMENT_COLUMNS: tuple[str, ...] = (
    "id",
    "name",
    "title_vi",
    "title_en",
    "description_vi",
    "description_en",
    "organization",
    "tags",
    "themes",
    "res_formats",
    "license_id",
    "access_level",
    "created",
    "modified",
    "popularity",
    "title_sort",
    "title_words",
    "tsv",
)
_MAX_POSITION = 16383  # PostgreSQL clamps larger positions to this value
_MAX_POSITIONS_PER_LEXEME = 255  # and keeps at most 256 positions per lexeme
_SEGMENT_GAP = 8  # keeps phrases from spanning two fields or two languages
_WEIGHT_RANK = {"A": 4, "B": 3, "C": 2, "D": 1}


def schema_statements(schema: str) -> list[sql.Composed]:
    """Return the idempotent statements creating the schema, its tables and indexes."""
    s = sql.Identifier(schema)
    statements = [
        "CREATE SCHEMA IF NOT EXISTS {s}",
        """CREATE TABLE IF NOT EXISTS {s}.documents (
            id text PRIMARY KEY,
            name text NOT NULL,
            title_vi text NOT NULL,
            title_en text NOT NULL,
            description_vi text NOT NULL,
            description_en text NOT NULL,
            organization text NOT NULL,
            tags text[] NOT NULL,
            themes text[] NOT NULL,
            res_formats text[] NOT NULL,
            license_id text NOT NULL,
            access_level text NOT NULL,
            created timestamptz NOT NULL,
            modified timestamptz NOT NULL,
            popularity bigint NOT NULL,
            title_sort text COLLATE "C" NOT NULL,
            title_words integer NOT NULL,
            tsv tsvector NOT NULL
        )""",
        "CREATE INDEX IF NOT EXISTS documents_tsv ON {s}.documents USING gin (tsv)",
        "CREATE INDEX IF NOT EXISTS documents_modified ON {s}.documents (modified DESC, id)",
        "CREATE INDEX IF NOT EXISTS documents_title ON {s}.documents (title_sort, id)",
        "CREATE INDEX IF NOT EXISTS documents_popularity ON {s}.documents "
        "(popularity DESC, modified DESC, id)",
        "CREATE INDEX IF NOT EXISTS documents_org ON {s}.documents (organization)",
        "CREATE INDEX IF NOT EXISTS documents_access ON {s}.documents (access_level)",
        "CREATE INDEX IF NOT EXISTS documents_tags ON {s}.documents USING gin (tags)",
        "CREATE INDEX IF NOT EXISTS documents_themes ON {s}.documents USING gin (themes)",
        "CREATE INDEX IF NOT EXISTS documents_formats ON {s}.documents USING gin (res_formats)",
        "CREATE TABLE IF NOT EXISTS {s}.terms (term text PRIMARY KEY)",
    ]
    return [sql.SQL(statement).format(s=s) for statement in statements]


def quote_lexeme(word: str, weights: str = "") -> str:
    """Return ``word`` as a quoted tsvector/tsquery lexeme, optionally weight-restricted."""
    quoted = "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"
    return f"{quoted}:{weights}" if weights else quoted


def phrase_query(words: Sequence[str], weights: str) -> str:
    """Return a tsquery matching ``words`` as adjacent lexemes (``a <-> b <-> c``)."""
    return " <-> ".join(quote_lexeme(w, weights) for w in words)


def build_tsvector(segments: Sequence[tuple[str, str, str]]) -> tuple[str, set[str]]:
    """Return the tsvector text of ``(text, accented weight, folded weight)`` segments.

    Accented and folded forms share a position; when they are the same word the stronger
    weight wins. Also returns the folded words, for the suggestion vocabulary.
    """
    positions: dict[str, dict[int, str]] = {}
    vocabulary: set[str] = set()
    cursor = 1

    def add(lexeme: str, position: int, weight: str) -> None:
        slots = positions.setdefault(lexeme, {})
        current = slots.get(position)
        if current is None and len(slots) >= _MAX_POSITIONS_PER_LEXEME:
            return
        if current is None or _WEIGHT_RANK[weight] > _WEIGHT_RANK[current]:
            slots[position] = weight

    for text, accented_weight, folded_weight in segments:
        for line in text.split("\n"):
            folded = folded_words(line)
            if not folded:
                continue
            accented = accented_words(line) if accented_weight else []
            for offset, word in enumerate(folded):
                position = min(cursor + offset, _MAX_POSITION)
                add(word, position, folded_weight)
                if accented:
                    add(accented[offset], position, accented_weight)
            vocabulary.update(folded)
            cursor += len(folded) + _SEGMENT_GAP
    parts = []
    for lexeme, slots in positions.items():
        spots = ",".join(f"{p}{w}" for p, w in sorted(slots.items()))
        parts.append(f"{quote_lexeme(lexeme)}:{spots}")
    return " ".join(parts), vocabulary


def document_row(doc: SearchDocument) -> tuple[tuple[Any, ...], set[str]]:
    """Return the ``documents`` row of ``doc`` (in ``DOCUMENT_COLUMNS`` order) and its folded
    words."""
    title_vi, title_en = nfc(doc.title_vi), nfc(doc.title_en)
    desc_vi, desc_en = nfc(doc.description_vi), nfc(doc.description_en)
    keywords = "\n".join(nfc(v) for v in (*doc.tags, *doc.themes))
    tsv, vocabulary = build_tsvector(
        [
            (title_vi + "\n" + title_en, "A", "B"),
            (desc_vi + "\n" + desc_en, "C", "D"),
            (keywords, "", "D"),
        ]
    )
    row = (
        doc.id,
        doc.name,
        title_vi,
        title_en,
        desc_vi,
        desc_en,
        nfc(doc.organization),
        [nfc(t) for t in doc.tags],
        [nfc(t) for t in doc.themes],
        [nfc(f) for f in doc.res_formats],
        nfc(doc.license_id),
        doc.access_level,
        doc.created,
        doc.modified,
        doc.popularity,
        vn_fold(title_vi).lower(),
        len(folded_words(title_vi)),
        tsv,
    )
    return row, vocabulary
