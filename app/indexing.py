"""The search index follows the database: documents are built from public views only."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from datasets.members import MemberDataset
from datasets.model import Dataset
from datasets.places import place_catalogue, search_keys
from datasets.public import PublicCatalog, PublicDataset
from search_index import SearchDocument, SearchIndex, SearchPage, SearchQuery


def document_from_public(view: PublicDataset) -> SearchDocument:
    """Build the search document of a published dataset from its public view only."""
    return _document(view, popularity=view.downloads)


def document_from_member(view: MemberDataset) -> SearchDocument:
    """Build a search document of the revision members work on (never indexed: the CKAN API
    matches a member's unpublished datasets with it, in memory)."""
    return _document(view, popularity=0)


def _document(view: PublicDataset | MemberDataset, *, popularity: int) -> SearchDocument:
    return SearchDocument(
        id=view.id,
        name=view.name,
        title_vi=view.title,
        title_en=view.title_en,
        description_vi=view.description,
        description_en=view.description_en,
        organization=view.organization.name,
        organization_title=view.organization.title,
        tags=view.tags,
        themes=view.themes,
        res_formats=tuple(sorted({r.format for r in view.resources if r.format})),
        license_id=view.license_id,
        created=view.created,
        modified=view.modified,
        popularity=popularity,
        # Metadata of every level is findable; at any level but public the public view has
        # no resources, so nothing of the data (formats included) reaches the index.
        access_level=view.access_level,
        frequency=view.frequency,
        # Units covered, what old ones became and what current ones were made of: a
        # dataset about Phường Bến Thành is found by old Quận 1 too (``place`` facet).
        places=search_keys(place_catalogue(), view.spatial_units) if view.spatial_units else (),
    )


def index_dataset(
    catalog: PublicCatalog[SearchQuery, SearchPage],
    search: SearchIndex,
    sessions: sessionmaker[Session],
    dataset_id: str,
) -> None:
    """Bring the search index in line with the database for one dataset."""
    view = catalog.get(dataset_id)
    if view is None:
        search.delete([dataset_id])
    else:
        search.upsert([document_from_public(view)])
    with sessions.begin() as session:
        dataset = session.get(Dataset, dataset_id)
        if dataset is not None and dataset.index_stale:
            dataset.index_stale = False


def rebuild_index(
    catalog: PublicCatalog[SearchQuery, SearchPage],
    search: SearchIndex,
    sessions: sessionmaker[Session],
) -> int:
    """Rebuild the whole search index from the database; return the count."""
    count = search.replace_all(document_from_public(v) for v in catalog.iter_all())
    with sessions.begin() as session:
        session.query(Dataset).filter(Dataset.index_stale.is_(True)).update(
            {Dataset.index_stale: False}
        )
    return count
