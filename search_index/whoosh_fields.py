"""What the Whoosh index holds for a dataset: its schema and a document's field values.

Stored originals for the hits, accented, folded and bigram (phrase) text of titles,
descriptions and keywords (tags and themes) for matching and ranking, the bigrams of the
organization's title (ranking only), facet fields, and the sort columns.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

from whoosh.fields import ID as WHOOSH_ID
from whoosh.fields import NUMERIC, STORED, TEXT, Schema

from search_index.documents import FACET_FIELDS, SearchDocument
from search_index.text import VietnameseTokenizer, folded_words, nfc, vn_fold

# The name of the index in its folder (Whoosh's ``indexname``).
INDEX_NAME = "opendata_v1"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_FACET_TO_DOC = {
    "organization": "organization",
    "tags": "tags",
    "res_format": "res_formats",
    "license_id": "license_id",
    "theme": "themes",
    "access_level": "access_level",
    "frequency": "frequency",
    "place": "places",
}


class SortNumber(NUMERIC):  # type: ignore[misc]  # whoosh ships no type hints
    """A number kept only as a sort column: searches never look it up by term, and indexing
    its 16 tiered terms per value was a fifth of an index build."""

    indexed = False


class SortKey(WHOOSH_ID):  # type: ignore[misc]  # whoosh ships no type hints
    """A string kept only as a sort column (never looked up by term)."""

    indexed = False


def _text(mode: str) -> Any:
    return TEXT(analyzer=VietnameseTokenizer(mode), phrase=False)


def build_schema() -> Any:
    """Return the Whoosh schema: stored originals, accented/folded/bigram text, facets, sorts.

    A field added here makes an index built without it ``outdated`` (rebuilt at start-up).
    """
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
        kw=_text("accented"),
        kw_f=_text("folded"),
        kw_bi=_text("bigram"),
        org_bi=_text("bigram"),
        **{facet: _text("exact") for facet in FACET_FIELDS},
        modified=SortNumber(bits=64, sortable=True, signed=True),
        created_ms=SortNumber(bits=64, sortable=True, signed=True),
        modified_ms=SortNumber(bits=64, sortable=True, signed=True),
        name_key=SortKey(sortable=True),
        popularity=SortNumber(bits=64, sortable=True, signed=True),
        title_words=SortNumber(bits=32, sortable=True),
        title_sort=SortKey(sortable=True),
    )


def epoch_seconds(moment: datetime) -> int:
    """Return whole seconds since the epoch; naive datetimes are taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return math.floor(moment.timestamp())


def epoch_milliseconds(moment: datetime) -> int:
    """Return whole milliseconds since the epoch (exact integer arithmetic; naive is UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - _EPOCH) // timedelta(milliseconds=1)


def document_fields(doc: SearchDocument) -> dict[str, Any]:
    """Return the Whoosh field values of ``doc``."""
    title_vi, title_en = nfc(doc.title_vi), nfc(doc.title_en)
    description_vi, description_en = nfc(doc.description_vi), nfc(doc.description_en)
    title = title_vi + "\n" + title_en
    description = description_vi + "\n" + description_en
    tags = [nfc(v) for v in doc.tags]
    # One keyword (tag or theme) a line: no phrase spans two of them.
    keywords = "\n".join([*tags, *(nfc(v) for v in doc.themes)])
    fields: dict[str, Any] = {
        "id": doc.id,
        "name": doc.name,
        "title_vi": title_vi,
        "title_en": title_en,
        "description_vi": description_vi,
        "description_en": description_en,
        "title": title,
        "title_f": title,
        "title_bi": title,
        "desc": description,
        "desc_f": description,
        "desc_bi": description,
        # Accented keywords: tags only (theme names are ASCII slugs, ``giao-thong``).
        "kw": "\n".join(tags),
        "kw_f": keywords,
        "kw_bi": keywords,
        "org_bi": nfc(doc.organization_title),
        "modified": epoch_seconds(doc.modified),
        "created_ms": epoch_milliseconds(doc.created),
        "modified_ms": epoch_milliseconds(doc.modified),
        "name_key": doc.name,
        "popularity": doc.popularity,
        "title_words": len(folded_words(title_vi)),
        "title_sort": vn_fold(title_vi).lower(),
    }
    for facet, attribute in _FACET_TO_DOC.items():
        value = getattr(doc, attribute)
        values = (value,) if isinstance(value, str) else value
        fields[facet] = "\x1f".join(nfc(v) for v in values if v)
    return fields
