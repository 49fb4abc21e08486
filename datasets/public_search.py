"""What ``PublicCatalog.search`` needs from a search index, and what it answers.

The index lives in an outer package (``search_index``); the catalog only asks it for a page
of hits by id with a total and facet counts, through the ``HitSource`` protocol, and loads
the public views of the whole page in one batch.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

if TYPE_CHECKING:
    from datasets.public import PublicDataset


class Hit(Protocol):
    """One hit of a search: the id of a dataset."""

    @property
    def id(self) -> str: ...


class HitPage(Protocol):
    """One page of hits, the number of every hit and the facet counts over every hit."""

    @property
    def total(self) -> int: ...

    @property
    def hits(self) -> Sequence[Hit]: ...

    @property
    def facets(self) -> Mapping[str, Sequence[tuple[str, int]]]: ...


Q = TypeVar("Q")
Q_contra = TypeVar("Q_contra", contravariant=True)
P = TypeVar("P", bound=HitPage)
P_co = TypeVar("P_co", bound=HitPage, covariant=True)


class HitSource(Protocol[Q_contra, P_co]):
    """A search index: a query in, a page of hits out."""

    def search(self, query: Q_contra) -> P_co: ...


@dataclass(frozen=True)
class PublicSearch(Generic[P]):
    """A search answered with public views.

    ``views`` are the page's hits that are published, in the index's order; ``total`` and
    ``facets`` count every hit, as the index does; ``page`` is the index's own page (for
    what only it knows: highlights, a spelling suggestion).
    """

    views: list[PublicDataset]
    total: int
    facets: Mapping[str, Sequence[tuple[str, int]]]
    page: P
