"""What the search index stores and answers: documents, queries and result pages.

A ``SearchDocument`` is built only from the public projection of a published dataset
(``datasets.public``), so nothing that is not public can be indexed. Datasets of every access
level are indexed (their metadata is public); ``access_level`` is a facet and a filter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from search_index.errors import SearchQueryError

if TYPE_CHECKING:
    from search_index.query_tree import QueryNode

# Every search surface (the /dataset page, the REST and CKAN APIs, the DCAT catalog) refuses
# longer text: a search costs work per word, and no real query needs more.
MAX_QUERY_CHARS = 200
MAX_QUERY_WORDS = 20
_WORD = re.compile(r"\w+")


def shorten_query_text(text: str) -> str:
    """Return ``text`` cut to its first ``MAX_QUERY_WORDS`` words and ``MAX_QUERY_CHARS``."""
    words = list(_WORD.finditer(text[:MAX_QUERY_CHARS]))
    if len(words) > MAX_QUERY_WORDS:
        return text[: words[MAX_QUERY_WORDS - 1].end()]
    return text[:MAX_QUERY_CHARS]


class QueryTooLong(SearchQueryError):
    """The search text has more than ``MAX_QUERY_CHARS`` characters or ``MAX_QUERY_WORDS`` words."""

    def __init__(self) -> None:
        super().__init__(
            f"the search text may have at most {MAX_QUERY_CHARS} characters "
            f"and {MAX_QUERY_WORDS} words"
        )


class SortOrder(StrEnum):
    """How a result page is ordered."""

    RELEVANCE = "relevance"
    MODIFIED = "modified"  # newest first
    TITLE = "title"  # A to Z on the folded Vietnamese title
    POPULARITY = "popularity"  # most downloaded first
    ID = "id"  # stable order by dataset id, for harvesters paging a whole catalog


FACET_FIELDS: tuple[str, ...] = (
    "organization",
    "tags",
    "res_format",
    "license_id",
    "theme",
    "access_level",
    "frequency",
    "place",
)


@dataclass(frozen=True)
class SearchDocument:
    """One published dataset as the index sees it."""

    id: str
    name: str
    title_vi: str
    title_en: str
    description_vi: str
    description_en: str
    organization: str  # organization name (slug)
    organization_title: str
    tags: tuple[str, ...]
    themes: tuple[str, ...]
    res_formats: tuple[str, ...]  # upper-case, e.g. ("CSV", "XLSX")
    license_id: str
    created: datetime
    modified: datetime
    popularity: int = 0
    # Who may read the data (``public``, ``registered``, ``agencies``, ``restricted``,
    # ``catalog-only``). The document of a dataset that is not public holds its metadata only
    # (title, description, publisher): it is found by those, never by its rows.
    access_level: str = "public"
    # The declared update frequency (an EU code, ``MONTHLY``), "" when unknown: with
    # ``modified`` it says whether the dataset is overdue (``freshness``).
    frequency: str = ""
    # Keys of the places the dataset covers and those they became or were made of
    # (``datasets.places.search_keys``: "26743", "old-760"), the ``place`` facet.
    places: tuple[str, ...] = ()


@dataclass(frozen=True)
class SearchQuery:
    """A search request.

    ``filters`` maps a facet field to values that must all match (AND, as CKAN's ``fq``);
    ``exclude`` maps a facet field to values that must not match. ``modified_from`` and
    ``modified_to`` bound ``modified`` inclusively. ``facet_limit`` caps the values returned per
    facet (the most frequent first), as CKAN's ``facet.limit``; counts always cover every hit.
    """

    text: str = ""
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    exclude: dict[str, tuple[str, ...]] = field(default_factory=dict)
    modified_from: datetime | None = None
    modified_to: datetime | None = None
    sort: SortOrder = SortOrder.RELEVANCE
    offset: int = 0
    limit: int = 20
    facets: tuple[str, ...] = FACET_FIELDS
    highlight: bool = False
    facet_limit: int = 50  # most frequent values returned per facet; -1 returns all
    # A boolean query (``query_tree``) every hit must match besides the filters above; with it,
    # ``text`` only ranks, highlights and suggests (it no longer has to match word by word).
    match: QueryNode | None = None
    # Sort keys ``(name, descending)`` overriding ``sort``: ``score`` or a ``SORT_COLUMNS``
    # name of ``query_match`` (``modified``, ``created``, ``title``, ``name``, ``popularity``,
    # ``id``); ties after the last key go by document number.
    sort_keys: tuple[tuple[str, bool], ...] = ()
    # Only datasets overdue for an update at this moment (``freshness``), when set.
    overdue_at: datetime | None = None

    def __post_init__(self) -> None:
        """Refuse text past the caps (``QueryTooLong``) before any search work is done."""
        if len(self.text) > MAX_QUERY_CHARS or len(_WORD.findall(self.text)) > MAX_QUERY_WORDS:
            raise QueryTooLong()


@dataclass(frozen=True)
class SearchHit:
    """One matching dataset; ``highlights`` maps a field to an HTML-escaped snippet with <mark>."""

    id: str
    name: str
    score: float
    highlights: dict[str, str] = field(default_factory=dict)
    title: str = ""  # the Vietnamese title, for callers that render hits without a lookup


@dataclass(frozen=True)
class SearchPage:
    """One page of results; ``facets`` counts every hit, not just the page."""

    total: int
    hits: tuple[SearchHit, ...]
    facets: dict[str, tuple[tuple[str, int], ...]]
    suggestion: str | None = None
