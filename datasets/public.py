"""The single public projection of a dataset.

Pages, downloads, both APIs, DCAT, data.json, schema.org and search documents are built
from these values only. A field left out of them cannot leak; a dataset that is not
published (or is withdrawn) has no public view at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Generic

from sqlalchemy import func, select, tuple_, update
from sqlalchemy.orm import Session, defer, joinedload, sessionmaker

from datasets.model import (
    Activity,
    Dataset,
    DatasetState,
    ResourceVersion,
    Revision,
    RevisionResource,
    Theme,
)
from datasets.public_cache import ViewCache
from datasets.public_search import HitSource, P, PublicSearch, Q
from datasets.public_stamps import STAMP_COLUMNS, stamps_of
from datasets.public_types import PUBLIC_COMMENTS as PUBLIC_COMMENTS
from datasets.public_types import Provenance as Provenance
from datasets.public_types import PublicActivity as PublicActivity
from datasets.public_types import PublicTheme as PublicTheme
from datasets.vocab import find_license
from publishers import Organization, User


@dataclass(frozen=True)
class PublicOrganization:
    """An organization (a city department) as the public sees it."""

    id: str
    name: str
    title: str  # Vietnamese
    title_en: str
    description: str
    email: str  # the functional mailbox, never a person's own
    homepage: str


@dataclass(frozen=True)
class PublicResource:
    """One published resource (a distribution) in its current public version."""

    id: str
    name: str
    description: str
    format: str  # upper-case: "CSV", "XLSX", "PDF", ...
    media_type: str  # IANA media type of the published file
    filename: str  # the published file's name, used in the download path
    size: int | None  # bytes of the published file; None for a link
    sha256: str | None  # hex digest of the published file; None for a link
    url: str | None  # the remote URL of a linked resource, None for an upload
    is_tabular: bool
    table_schema: dict[str, Any] | None  # Frictionless Table Schema of the published table
    row_count: int | None
    created: datetime
    modified: datetime
    # Per-column statistics of the public file (``datasets.statistics``), None until loaded.
    column_stats: dict[str, Any] | None = None
    # What was done to personal data, column by column: (column, kind, action) of each
    # decision that made the public file; never a value or a steward's justification.
    protections: tuple[tuple[str, str, str], ...] = ()
    encoding: str | None = None  # of a table's original: detected, or chosen by the publisher
    sheet: str | None = None  # of a spreadsheet original: the sheet read
    # Set only in a reader's agency projection (``datasets.audience``), never in the catalog:
    # the vault key of the agency file (None: the public file serves), and the columns a
    # grant allows (None: all).
    agency_key: str | None = None
    projection: str = "public"
    columns: tuple[str, ...] | None = None


@dataclass(frozen=True)
class PublicDataset:
    """A published dataset as every public surface shows it."""

    id: str
    name: str
    title: str  # Vietnamese
    title_en: str
    description: str  # Vietnamese, plain text or light Markdown
    description_en: str
    organization: PublicOrganization
    tags: tuple[str, ...]
    themes: tuple[str, ...]  # theme names (slugs), see ``PublicTheme``
    license_id: str
    license_title: str
    license_url: str
    contact_email: str  # functional address
    temporal_start: date | None
    temporal_end: date | None
    spatial: str  # coverage text that named no unit of ``spatial_units`` ("" mostly)
    frequency: str  # code of datasets.vocab.FREQUENCIES ("MONTHLY"), "" when unknown
    created: datetime
    modified: datetime
    issued: datetime  # first publication
    resources: tuple[PublicResource, ...]
    provenance: Provenance | None = None
    downloads: int = 0
    extras: dict[str, str] = field(default_factory=dict)
    # Spatial coverage as ``datasets.places`` unit keys ("79", "26743", "old-760").
    spatial_units: tuple[str, ...] = ()
    # Who may read the data (``datasets.access.AccessLevel``) and how to get access. At any
    # level but "public" this view carries no resources: readers with access get theirs
    # through ``datasets.audience``.
    access_level: str = "public"
    access_instructions: str = ""
    revision_id: str = ""  # the live revision (changes with every publication)


def organization_to_public(org: Organization) -> PublicOrganization:
    """Return the public view of an organization."""
    return PublicOrganization(
        id=org.id,
        name=org.name,
        title=org.title,
        title_en=org.title_en,
        description=org.description,
        email=org.email,
        homepage=org.homepage,
    )


def _resource_to_public(entry: RevisionResource, created: datetime) -> PublicResource | None:
    version = entry.version
    if version.url:
        return PublicResource(
            id=entry.resource_id,
            name=version.name,
            description=version.description,
            format=version.format or "",
            media_type=version.media_type or "",
            filename="",
            size=None,
            sha256=None,
            url=version.url,
            is_tabular=False,
            table_schema=None,
            row_count=None,
            created=created,
            modified=version.created,
        )
    if not version.public_sha256:  # never published without its stripped file
        return None
    return PublicResource(
        id=entry.resource_id,
        name=version.name,
        description=version.description,
        format=version.format,
        media_type=version.media_type,
        filename=version.filename,
        size=version.public_size,
        sha256=version.public_sha256,
        url=None,
        is_tabular=version.is_tabular,
        table_schema=version.public_schema if version.is_tabular else None,
        row_count=version.row_count if version.is_tabular else None,
        created=created,
        modified=version.created,
        column_stats=version.column_stats if version.is_tabular else None,
        protections=tuple(
            (d["column"], d.get("kind", ""), d["action"]) for d in version.decisions or ()
        ),
        encoding=version.encoding if version.is_tabular else None,
        sheet=version.sheet if version.is_tabular else None,
    )


def public_view(dataset: Dataset, org: Organization) -> PublicDataset | None:
    """Return the public projection of ``dataset``, or None when it is not public."""
    live = dataset.live_revision
    if dataset.state != DatasetState.PUBLISHED.value or live is None:
        return None
    license_ = find_license(live.license_id)
    resources = public_resources(live, dataset.created) if live.access_level == "public" else ()
    provenance = None
    if dataset.harvest_source and dataset.harvested_at:
        provenance = Provenance(
            source_name=dataset.harvest_source,
            source_type=dataset.harvest_source_type or "",
            remote_id=dataset.harvest_remote_id or "",
            remote_url=dataset.harvest_remote_url or "",
            harvested_at=_aware(dataset.harvested_at),
        )
    return PublicDataset(
        id=dataset.id,
        name=dataset.name,
        title=live.title_vi,
        title_en=live.title_en,
        description=live.description_vi,
        description_en=live.description_en,
        organization=organization_to_public(org),
        tags=tuple(live.tags or ()),
        themes=tuple(live.themes or ()),
        license_id=live.license_id,
        license_title=license_.title if license_ else live.license_id,
        license_url=license_.url if license_ else "",
        contact_email=live.contact_email or org.email,
        temporal_start=live.temporal_start,
        temporal_end=live.temporal_end,
        spatial=live.spatial,
        spatial_units=tuple(live.spatial_units or ()),
        frequency=live.frequency,
        created=_aware(dataset.created),
        modified=_aware(live.decided_at or dataset.modified),
        issued=_aware(dataset.published or dataset.created),
        resources=resources,
        provenance=provenance,
        downloads=dataset.downloads,
        extras=dict(live.extras or {}),
        access_level=live.access_level,
        access_instructions=live.access_instructions,
        revision_id=live.id,
    )


def public_resources(live: Revision, created: datetime) -> tuple[PublicResource, ...]:
    """The public files of a live revision (what the public projection serves)."""
    return tuple(r for e in live.entries if (r := _resource_to_public(e, created)) is not None)


def _aware(moment: datetime) -> datetime:
    # SQLite returns naive datetimes for timezone-aware columns; they are stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# The most datasets one read loads without a second round of statements: the largest page
# any surface asks for (CKAN ``rows`` and ``include_datasets``).
BATCH_SIZE = 1000
# What a public view needs: the live revision only, without the publisher-side reports (the
# decisions are read: the public page says what was done to personal data); joined
# where the relation is to one, so a batch takes the same statements however large it is.
_PUBLISHER_SIDE = "validation findings table_schema error_params agency_decisions agency_schema"
_PUBLIC_VERSION = joinedload(Dataset.live_revision).selectinload(
    Revision.entries, chunksize=BATCH_SIZE
)
PUBLIC_LOAD_OPTIONS = (
    _PUBLIC_VERSION.joinedload(RevisionResource.version).options(
        *(defer(getattr(ResourceVersion, c)) for c in _PUBLISHER_SIDE.split()),
    ),
)


@dataclass(frozen=True)
class CatalogCounts:
    """What the portal holds, for the home page."""

    datasets: int
    organizations: int
    resources: int


class PublicCatalog(Generic[Q, P]):
    """Read and search published datasets; every result goes through ``public_view``.

    With ``cache_seconds`` > 0, views are kept in memory for that long and reused only
    while the dataset's stamp (state, live revision, lock version, modified, downloads) is
    unchanged, which one small query checks on every read; so a transition is seen at once,
    and only changes that move no stamp (an organization's title, statistics computed after
    publication) can show up to ``cache_seconds`` late.
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        index: HitSource[Q, P],
        *,
        cache_seconds: float = 0.0,
    ) -> None:
        self._sessions = sessions
        self._index = index
        self._cache: ViewCache[PublicDataset] | None = (
            ViewCache(cache_seconds) if cache_seconds > 0 else None
        )

    def get(self, name_or_id: str) -> PublicDataset | None:
        """Return the published dataset with that name or id, or None."""
        match = (Dataset.name == name_or_id) | (Dataset.id == name_or_id)
        stamp: tuple[str, tuple[object, ...]] | None = None  # (id, stamp) read first
        with self._sessions() as session:
            if self._cache is not None:
                row = session.execute(select(*STAMP_COLUMNS).where(match)).first()
                if row is None:
                    return None
                stamp = (row[0], tuple(row[1:]))
                cached = self._cache.get(*stamp)
                if cached is not None:
                    return cached
            dataset = session.scalar(select(Dataset).where(match).options(*PUBLIC_LOAD_OPTIONS))
            if dataset is None:
                return None
            org = session.get(Organization, dataset.organization_id)
            assert org is not None
            view = public_view(dataset, org)
            if self._cache is not None and view is not None and stamp and stamp[0] == dataset.id:
                self._cache.put(dataset.id, stamp[1], view)
            return view

    def get_many(self, ids: Iterable[str]) -> list[PublicDataset]:
        """Return the published datasets with these ids, in order (``BATCH_SIZE`` per batch)."""
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return []
        views: dict[str, PublicDataset] = {}
        stamps: dict[str, tuple[object, ...]] = {}
        with self._sessions() as session:
            missing = wanted
            if self._cache is not None:
                stamps = stamps_of(session, wanted)
                views = self._cache.get_many(stamps)
                missing = [i for i in wanted if i not in views]
            if missing:
                rows = session.scalars(
                    select(Dataset).where(Dataset.id.in_(missing)).options(*PUBLIC_LOAD_OPTIONS)
                ).all()
                org_ids = {d.organization_id for d in rows}
                orgs = {
                    o.id: o
                    for o in session.scalars(
                        select(Organization).where(Organization.id.in_(org_ids))
                    )
                }
                for d in rows:
                    if (view := public_view(d, orgs[d.organization_id])) is None:
                        continue
                    views[d.id] = view
                    if self._cache is not None and d.id in stamps:
                        self._cache.put(d.id, stamps[d.id], view)
            return [views[i] for i in wanted if i in views]

    def search(self, query: Q) -> PublicSearch[P]:
        """Search the index; return the public views of the page's hits, read in one batch."""
        page = self._index.search(query)
        views = self.get_many(hit.id for hit in page.hits)
        return PublicSearch(views=views, total=page.total, facets=page.facets, page=page)

    def activity(self, dataset_id: str, *, limit: int = 20) -> list[PublicActivity]:
        """Return the published dataset's activity, newest first, with who did it."""
        with self._sessions() as session:  # one statement: nothing unless it is published
            rows = session.execute(
                select(Activity, User.name)
                .join(Dataset, Dataset.id == Activity.dataset_id)
                .outerjoin(User, User.id == Activity.actor_id)
                .where(Activity.dataset_id == dataset_id)
                .where(Dataset.state == DatasetState.PUBLISHED.value)
                .order_by(Activity.created.desc())
                .limit(limit)
            ).all()
            return [
                PublicActivity(
                    action=a.action,
                    actor=name or "",
                    created=_aware(a.created),
                    comment=a.comment if a.action in PUBLIC_COMMENTS else "",
                )
                for a, name in rows
            ]

    def page(
        self,
        *,
        offset: int = 0,
        limit: int = 100,
        organization_id: str | None = None,
        modified_since: datetime | None = None,
        newest_first: bool = True,
    ) -> tuple[list[PublicDataset], int]:
        """Return one page of published datasets and the total count."""
        with self._sessions() as session:
            query = select(Dataset).where(Dataset.state == DatasetState.PUBLISHED.value)
            if organization_id:
                query = query.where(Dataset.organization_id == organization_id)
            if modified_since:
                query = query.where(Dataset.modified >= modified_since)
            total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
            order = Dataset.modified.desc() if newest_first else Dataset.name
            if self._cache is not None:  # ids first: remembered views need no loading
                ids = session.scalars(
                    query.with_only_columns(Dataset.id)
                    .order_by(order, Dataset.id)
                    .offset(offset)
                    .limit(limit)
                ).all()
                return self.get_many(ids), int(total)
            rows = session.scalars(
                query.options(*PUBLIC_LOAD_OPTIONS)
                .order_by(order, Dataset.id)
                .offset(offset)
                .limit(limit)
            ).all()
            orgs = {o.id: o for o in session.scalars(select(Organization)).all()}
            views = [v for d in rows if (v := public_view(d, orgs[d.organization_id]))]
            return views, int(total)

    def iter_all(self, batch: int = 500) -> Iterator[PublicDataset]:
        """Yield every published dataset by name, in batches (index rebuilds, catalogs); each
        batch starts after the last of the one before: no OFFSET re-reading skipped rows."""
        after: tuple[str, str] = ("", "")
        while True:
            with self._sessions() as session:
                keys = session.execute(
                    select(Dataset.name, Dataset.id)
                    .where(Dataset.state == DatasetState.PUBLISHED.value)
                    .where(tuple_(Dataset.name, Dataset.id) > tuple_(*after))
                    .order_by(Dataset.name, Dataset.id)
                    .limit(batch)
                ).all()
            if not keys:
                return
            yield from self.get_many(i for _n, i in keys)
            after = (keys[-1][0], keys[-1][1])

    def organizations(self) -> list[tuple[PublicOrganization, int]]:
        """Return every organization with its number of published datasets."""
        with self._sessions() as session:
            counts = dict(
                session.execute(
                    select(Dataset.organization_id, func.count())
                    .where(Dataset.state == DatasetState.PUBLISHED.value)
                    .group_by(Dataset.organization_id)
                ).all()
            )
            orgs = session.scalars(select(Organization).order_by(Organization.title)).all()
            return [(organization_to_public(o), int(counts.get(o.id, 0))) for o in orgs]

    def themes(self) -> list[PublicTheme]:
        """Return the site's themes in their display order."""
        with self._sessions() as session:
            rows = session.scalars(select(Theme).order_by(Theme.position, Theme.name)).all()
            return [PublicTheme(t.name, t.title_vi, t.title_en, t.eu_theme) for t in rows]

    def counts(self) -> CatalogCounts:
        """Return how many datasets, organizations and resources are public (one statement)."""
        published = Dataset.state == DatasetState.PUBLISHED.value
        files = (
            select(func.count())
            .select_from(RevisionResource)
            .join(Dataset, Dataset.live_revision_id == RevisionResource.revision_id)
            .where(published)
            .correlate(None)  # its own count, not one per outer row
            .scalar_subquery()
        )
        organizations = func.count(func.distinct(Dataset.organization_id))
        with self._sessions() as session:
            row = session.execute(select(func.count(), organizations, files).where(published))
            datasets, orgs, resources = row.one()
        return CatalogCounts(int(datasets or 0), int(orgs or 0), int(resources or 0))

    def stamp(self) -> tuple[int, datetime | None, datetime | None]:
        """Return (published count, earliest publication, latest modification): a cache key."""
        with self._sessions() as session:
            count, first, last = session.execute(
                select(func.count(), func.min(Dataset.published), func.max(Dataset.modified)).where(
                    Dataset.state == DatasetState.PUBLISHED.value
                )
            ).one()
            return int(count or 0), _aware(first) if first else None, _aware(last) if last else None

    def record_download(self, dataset_id: str) -> None:
        """Count one download of the dataset."""
        with self._sessions.begin() as session:
            session.execute(
                update(Dataset)
                .where(Dataset.id == dataset_id)
                .values(downloads=Dataset.downloads + 1)
            )
