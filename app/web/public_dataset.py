"""The dataset and resource pages: metadata, dictionary, preview, statistics, map, downloads."""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from dataclasses import field as dataclass_field
from pathlib import PurePosixPath
from typing import Any, cast

from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from markupsafe import Markup

from app.context import current_actor, services
from app.web.catalog import dataset_rdf_response
from app.web.charts import histogram_chart, top_chart
from app.web.converted import CONVERTED_FORMATS
from app.web.maps import PointMap, coordinate_columns, point_map
from app.web.page_cache import anonymous_page
from app.web.preview_facets import PreviewFacet, chosen_filters, facet_columns, preview_facets
from app.web.public import bp, query_args, themes
from app.web.reading import private_preview, reader_view
from datasets.audience import ReaderView
from datasets.datastore import DatastoreError, DatastoreQuery, UnknownResource
from datasets.geo import table_coordinates
from datasets.preview import preview_csv
from datasets.public import PublicActivity, PublicDataset, PublicResource
from datasets.usage import Subject, UsageTotals
from datasets.vocab import FREQUENCIES, LICENSES
from metadata import SiteUrls, dataset_to_schemaorg, negotiate_rdf_format, schemaorg_script_json
from publishers import NotFound, Permission, can
from search_index import SearchQuery, SortOrder

DATASET_ROWS, RESOURCE_ROWS = 10, 25
MAP_POINTS = 5000


@dataclass(frozen=True)
class PreviewPage:
    """One page of a table's preview, sorted by one column or in file order."""

    resource_id: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    total: int | None
    page: int
    pages: int
    sort: str | None
    desc: bool
    sortable: bool  # False when read from the file (datastore not loaded yet)
    size: int = DATASET_ROWS
    facets: tuple[PreviewFacet, ...] = ()  # the resource page's facets (issue 23)
    filters: Mapping[str, str] = dataclass_field(default_factory=dict)  # facet values picked

    @property
    def first(self) -> int:
        """The number of the first row shown (1-based)."""
        return (self.page - 1) * self.size + 1

    @property
    def last(self) -> int:
        """The number of the last row shown."""
        return (self.page - 1) * self.size + len(self.rows)


def _cell(value: object) -> str:
    return "" if value is None else str(value)


def preview_page(
    resource: PublicResource, args: Mapping[str, str], size: int, *, faceted: bool = False
) -> PreviewPage:
    """Read the requested page of ``resource`` from the datastore (file order as fallback).

    ``faceted`` (the resource page) adds the facets of a few columns, and the rows are
    filtered by the facet values picked (``f_<column>``).
    """
    active = args.get("r") in (None, resource.id)
    page = _int(args.get("page")) if active else 1
    sort = (args.get("sort") or None) if active else None
    desc = active and args.get("desc") == "1"
    store = services().datastore
    columns = facet_columns(resource) if faceted else []
    filters = chosen_filters(args, columns) if active else {}
    query = DatastoreQuery(
        filters=filters, sort=[(sort, desc)] if sort else (), limit=size, offset=(page - 1) * size
    )
    try:
        result = store.search(resource.id, query)
    except UnknownResource:  # not loaded (yet): the first rows of the file, in file order
        return _file_preview(resource, size)
    except DatastoreError:  # an unknown column or a bad page: the first page, unsorted
        sort, desc, page, filters = None, False, 1, {}
        query = DatastoreQuery(limit=size)
        result = store.search(resource.id, query)
    pages = max(1, math.ceil((result.total or 0) / size))
    if page > pages:  # past the end: the last page
        page = pages
        result = store.search(resource.id, replace(query, offset=(page - 1) * size))
    header = tuple(f.name for f in result.fields)
    rows = tuple(tuple(_cell(r.get(h)) for h in header) for r in result.records)
    return PreviewPage(
        resource.id, header, rows, result.total, page, pages, sort, desc, True, size,
        facets=preview_facets(resource, columns, filters),
        filters={column: values[0] for column, values in filters.items()},
    )  # fmt: skip


def _file_preview(resource: PublicResource, size: int) -> PreviewPage:
    assert resource.sha256 is not None
    with services().public_store.open(resource.sha256) as stream:
        found = preview_csv(stream, limit=size)
    return PreviewPage(
        resource.id, found.header, found.rows, resource.row_count, 1, 1, None, False, False, size
    )


def _int(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 100_000))
    except ValueError:
        return 1


@dataclass(frozen=True)
class Download:
    """A download button: a format, its URL and (for the published file) size and digest."""

    format: str
    url: str
    size: int | None
    sha256: str | None


def downloads(view: PublicDataset, resource: PublicResource) -> list[Download]:
    """The published file first, then the converted formats of a tabular resource."""
    url = url_for(
        "downloads.download", name=view.name, resource_id=resource.id, filename=resource.filename
    )
    links = [Download(resource.format or "FILE", url, resource.size, resource.sha256)]
    if resource.is_tabular:
        stem = PurePosixPath(resource.filename).stem or "data"
        for ext in CONVERTED_FORMATS:
            if ext == "geojson" and table_coordinates(resource.table_schema) is None:
                continue
            converted = url_for(
                "downloads.download",
                name=view.name,
                resource_id=resource.id,
                filename=f"{stem}.{ext}",
            )
            links.append(Download(ext.upper(), converted, None, None))
    return links


def _draw_map(resource_id: str, lat: str, lon: str) -> PointMap | None:
    store = services().datastore
    try:
        result = store.search(resource_id, DatastoreQuery(fields=[lat, lon], limit=MAP_POINTS))
    except DatastoreError:
        return None
    points = []
    for record in result.records:
        try:
            points.append((float(record[lat]), float(record[lon])))
        except (TypeError, ValueError):
            continue
    return point_map(points)


def map_for(resource: PublicResource) -> tuple[PointMap, str, str] | None:
    """The map of a table with latitude and longitude columns (cached per published file)."""
    fields = (resource.table_schema or {}).get("fields", [])
    columns = coordinate_columns(str(f.get("name", "")) for f in fields)
    if columns is None or resource.sha256 is None:
        return None
    lat, lon = columns
    drawn = cast(
        "PointMap | None",
        services().caches.maps.get_or_build(
            (resource.id, resource.sha256, lat, lon), lambda: _draw_map(resource.id, lat, lon)
        ),
    )
    return (drawn, *columns) if drawn else None


def column_charts(resource: PublicResource) -> dict[str, Any]:
    """Charts of each column's statistics, by column name."""
    columns = (resource.column_stats or {}).get("columns", [])
    return {c["name"]: histogram_chart(c) or top_chart(c) for c in columns}


def related(view: PublicDataset, limit: int = 4) -> list[PublicDataset]:
    """Datasets sharing the first theme, then the first tag, then the organization.

    The ids are remembered for a minute per dataset version (the views themselves are
    always current: ``get_many`` drops what is no longer published).
    """
    remembered = services().caches.related
    ids = remembered.get(view.id, (view.modified,))
    if ids is None:
        ids = _related_ids(view, limit)
        remembered.put(view.id, (view.modified,), ids)
    return services().catalog.get_many(ids)


def _related_ids(view: PublicDataset, limit: int) -> tuple[str, ...]:
    search = services().search
    seen, ids = {view.id}, list[str]()
    for field, values in (
        ("theme", view.themes[:1]),
        ("tags", view.tags[:1]),
        ("organization", (view.organization.name,)),
    ):
        if not values or len(ids) >= limit:
            continue
        query = SearchQuery(
            filters={field: values}, sort=SortOrder.MODIFIED, limit=limit + 1, facets=()
        )
        for hit in search.search(query).hits:
            if hit.id not in seen:
                seen.add(hit.id)
                ids.append(hit.id)
    return tuple(ids[:limit])


def _schema_digest(schema: Mapping[str, Any] | None) -> str:
    text = json.dumps(schema, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def analysis(view: PublicDataset, resource: PublicResource, layout: str) -> Markup:
    """The map, data dictionary and column statistics of a table, rendered once per file."""
    if not resource.is_tabular or resource.sha256 is None:
        return Markup("")
    key = (
        view.name,
        resource.id,
        resource.sha256,
        resource.column_stats is not None,  # statistics arrive with the datastore load
        # A new schema (types, column titles) may leave the file itself byte for byte the same.
        _schema_digest(resource.table_schema),
        str(get_locale()),
        layout,
    )
    html = services().caches.fragments.get_or_build(
        key,
        lambda: render_template(
            "public/_analysis.html",
            dataset=view,
            r=resource,
            charts=column_charts(resource),
            map=map_for(resource),
            layout=layout,
        ),
    )
    return Markup(html)  # noqa: S704 -- our own rendered template


def dataset_usage(dataset_id: str) -> UsageTotals:
    """The dataset's downloads and API calls, for its page (counted by the usage recorder)."""
    return services().usage.totals(Subject.DATASET, dataset_id)


bp.add_app_template_global(dataset_usage, "dataset_usage")


def _resource_context(
    view: PublicDataset, resource: PublicResource, rows: int, layout: str, reader: ReaderView
) -> dict[str, Any]:
    """Preview, analysis and downloads of a resource. A reader's private projection (any
    level but public) is previewed from the reader's own file (logged, surface ``page``);
    its statistics and map, built for public tables, are not shown."""
    private = reader.access.logged
    readable = resource.sha256 is not None or resource.agency_key is not None
    preview = None
    if resource.is_tabular and readable and private:
        header, body = private_preview(reader, resource, rows)
        preview = PreviewPage(
            resource.id, header, body, resource.row_count, 1, 1, None, False, False, rows
        )
    elif resource.is_tabular and resource.sha256 is not None:
        preview = preview_page(resource, request.args, rows, faceted=layout == "resource")
    return {
        "preview": preview,
        "analysis": analysis(view, resource, layout) if not private else Markup(""),
        "downloads": downloads(view, resource) if readable else [],
    }


def _published(name: str) -> PublicDataset:
    view = services().catalog.get(name)
    if view is None:
        raise NotFound("dataset not found", name=name)
    return view


@bp.get("/dataset/<slug:name>")
def dataset(name: str) -> ResponseReturnValue:
    svc = services()
    view = svc.catalog.get(name)
    if view is None:
        return redirect(url_for("manage.dataset", name=name))  # members see drafts there
    if view.name != name:
        return redirect(url_for("public.dataset", name=view.name, **query_args()), 301)
    ext = negotiate_rdf_format(request.headers.get("Accept"))
    if ext is not None:
        return dataset_rdf_response(view, ext)
    if request.args.get("partial") == "preview":
        return _fragment(view, "public.dataset", DATASET_ROWS)
    reader = reader_view(view)
    shown = reader.dataset
    # Whom the data was shared with (the law lets a person ask which agencies read it).
    accessed_by = svc.sharing.agencies_that_read(view.id) if view.access_level != "public" else []
    activity = svc.catalog.activity(view.id, limit=10)
    near = related(view)

    def render() -> str:
        return render_template(
            "public/dataset.html",
            dataset=shown,
            access=reader.access,
            accessed_by=accessed_by,
            parts={
                r.id: _resource_context(shown, r, DATASET_ROWS, "dataset", reader)
                for r in shown.resources
            },
            **_dataset_context(view, activity, near),
        )

    if reader.access.reads_data and view.access_level != "public":
        return render()  # a reader's own projection of non-public data: never reused
    usage = dataset_usage(view.id)
    parts = (tuple(activity), usage, svc.freshness.overdue(view), tuple(accessed_by))
    return anonymous_page(parts, (view, *near), render)


def _dataset_context(
    view: PublicDataset, activity: list[PublicActivity], near: list[PublicDataset]
) -> dict[str, Any]:
    svc = services()
    return {
        "license": LICENSES.get(view.license_id),
        "frequencies": FREQUENCIES,
        "themes": {t.name: t for t in themes()},
        "activity": activity,
        "related": near,
        "can_manage": can(current_actor(), Permission.EDIT_DATASET, view.organization.id),
        "following": svc.follows.is_following(current_actor(), view.id),
        "overdue": svc.freshness.overdue(view),
        "site_url": svc.settings.site_url.rstrip("/"),
        "schemaorg": schemaorg_script_json(
            dataset_to_schemaorg(view, SiteUrls(svc.settings.site_url))
        ),
    }


def _fragment(view: PublicDataset, endpoint: str, rows: int) -> ResponseReturnValue:
    resource = next((r for r in view.resources if r.id == request.args.get("r")), None)
    if resource is None or not resource.is_tabular or resource.sha256 is None:
        raise NotFound("resource not found")
    preview = preview_page(resource, request.args, rows, faceted=endpoint == "public.resource")
    return render_template(
        "public/_preview.html", dataset=view, resource=resource, preview=preview, endpoint=endpoint
    )


@bp.get("/dataset/<slug:name>/resource/<slug:resource_id>")
def resource(name: str, resource_id: str) -> ResponseReturnValue:
    reader = reader_view(_published(name))
    view, private = reader.dataset, reader.access.logged
    found = next((r for r in view.resources if r.id == resource_id), None)
    if found is None:
        if not reader.access.reads_data:
            return render_template("sharing/no_access.html", dataset=view), 403
        raise NotFound("resource not found")
    if view.name != name:
        return redirect(url_for("public.resource", name=view.name, resource_id=found.id), 301)
    if request.args.get("partial") == "preview":
        if private:
            raise NotFound("no preview of non-public data")
        return _fragment(view, "public.resource", RESOURCE_ROWS)
    return render_template(
        "public/resource.html",
        dataset=view,
        resource=found,
        site_url=services().settings.site_url.rstrip("/"),
        **_resource_context(view, found, RESOURCE_ROWS, "resource", reader),
    )
