"""Whether a published dataset is overdue for an update, at the service's clock (issue 21).

The rule is ``search_index.freshness``: last publication + declared period + grace. The
flag is never stored: pages compute it from a view's ``frequency`` and ``modified``, and
searches pass ``overdue_at`` so the index answers from its frequency and date fields. Tests
set ``clock`` to move time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from datasets.public import PublicCatalog, PublicDataset
from publishers import utcnow
from search_index import SearchPage, SearchQuery, SortOrder
from search_index.freshness import due_date, is_overdue

# The stewards' work page lists at most this many overdue datasets per organization.
REVIEW_LIMIT = 100


@dataclass(frozen=True)
class Overdue:
    """A dataset late for its update: the day the update was due."""

    due: date


class Freshness:
    """Overdue flags and lists at ``clock``'s time."""

    def __init__(
        self,
        catalog: PublicCatalog[SearchQuery, SearchPage],
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._catalog = catalog
        self.clock = clock

    def now(self) -> datetime:
        """Return the moment the flags are computed at."""
        return self.clock()

    def overdue(self, view: PublicDataset) -> Overdue | None:
        """Return when ``view``'s update was due if it is overdue now, else None."""
        if not is_overdue(view.frequency, view.modified, self.clock()):
            return None
        due = due_date(view.frequency, view.modified)
        return Overdue(due.date()) if due is not None else None

    def flags(self, views: Iterable[PublicDataset]) -> dict[str, Overdue]:
        """Map the id of each overdue view to its flag (for result lists)."""
        found = {view.id: self.overdue(view) for view in views}
        return {key: flag for key, flag in found.items() if flag is not None}

    def overdue_of(self, organization_names: Iterable[str]) -> list[PublicDataset]:
        """Return the overdue published datasets of the organizations, oldest update first."""
        result: list[PublicDataset] = []
        for name in sorted(set(organization_names)):
            query = SearchQuery(
                filters={"organization": (name,)},
                overdue_at=self.clock(),
                sort=SortOrder.TITLE,
                limit=REVIEW_LIMIT,
                facets=(),
            )
            result.extend(self._catalog.search(query).views)
        return sorted(result, key=lambda view: (view.modified, view.name))
