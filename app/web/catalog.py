"""Machine-readable metadata: DCAT-AP 3 (paged, negotiated), data.json, datapackage.json."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime
from math import ceil
from urllib.parse import urlencode

from flask import Blueprint, Response, redirect, request, url_for
from flask.typing import ResponseReturnValue

from app.bulk import describe_catalog
from app.context import services
from datasets.public import PublicDataset
from metadata import (
    RDF_FORMATS,
    CatalogInfo,
    HydraPage,
    SiteUrls,
    catalog_to_datajson,
    catalog_to_graph,
    dataset_to_datapackage,
    dataset_to_graph,
    negotiate_rdf_format,
    serialize_graph,
)
from publishers import InvalidInput, NotFound
from search_index import QueryTooLong, SearchQuery

bp = Blueprint("catalog", __name__)
CATALOG_PAGE = 100


def catalog_info() -> CatalogInfo:
    """Describe the portal's catalog (the bulk archive describes it with the same call)."""
    svc = services()
    return describe_catalog(svc.catalog, svc.settings.site_url)


def _cached(key: str, build: Callable[[], tuple[bytes, str]]) -> tuple[bytes, str]:
    return services().caches.catalog_documents.get_or_build(key, build)


def _etag_response(body: bytes, mimetype: str, etag: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.set_etag(etag)
    response.headers["Cache-Control"] = "public, max-age=60"
    response.headers["Access-Control-Allow-Origin"] = services().settings.cors_origins
    response.make_conditional(request)
    return response


def _page_datasets(page: int) -> tuple[list[PublicDataset], int]:
    svc = services()
    args = request.args
    since = None
    if args.get("modified_since"):
        try:
            since = datetime.fromisoformat(args["modified_since"].replace("Z", "+00:00"))
        except ValueError:
            raise InvalidInput("bad modified_since", {"modified_since": ["invalid_date"]}) from None
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
    org_id = None
    if args.get("organization"):
        org_id = svc.accounts.get_organization(args["organization"]).id
    if args.get("q"):
        filters: dict[str, tuple[str, ...]] = (
            {"organization": (args["organization"],)} if args.get("organization") else {}
        )
        try:
            query = SearchQuery(
                text=args["q"],
                filters=filters,
                offset=(page - 1) * CATALOG_PAGE,
                limit=CATALOG_PAGE,
                facets=(),
                modified_from=since,
            )
        except QueryTooLong:
            raise InvalidInput("search text too long", {"q": ["too_long"]}) from None
        result = svc.catalog.search(query)
        return result.views, result.total
    return svc.catalog.page(
        offset=(page - 1) * CATALOG_PAGE,
        limit=CATALOG_PAGE,
        organization_id=org_id,
        modified_since=since,
    )


@bp.get("/catalog")
def catalog_negotiated() -> ResponseReturnValue:
    ext = negotiate_rdf_format(request.headers.get("Accept"))
    if ext is None:
        return redirect(url_for("public.search"))
    return catalog_rdf(ext)


@bp.get("/catalog.<any(ttl, rdf, jsonld, nt):ext>")
def catalog_rdf(ext: str) -> ResponseReturnValue:
    svc = services()
    page = max(1, request.args.get("page", 1, type=int) or 1)
    stamp = svc.catalog.stamp()
    params = sorted(
        (k, v)
        for k, v in request.args.items()
        if k in ("page", "q", "organization", "modified_since")
    )
    etag = hashlib.sha256(repr((stamp, params, ext)).encode()).hexdigest()[:32]
    if etag in request.if_none_match:
        return _etag_response(b"", RDF_FORMATS[ext][1], etag)

    def build() -> tuple[bytes, str]:
        views, total = _page_datasets(page)
        urls = SiteUrls(svc.settings.site_url)
        base = {k: v for k, v in params if k != "page"}

        def link(n: int) -> str:
            return f"{urls.catalog()}.{ext}?{urlencode({**base, 'page': n})}"

        last = max(1, ceil(total / CATALOG_PAGE))
        hydra = HydraPage(
            url=link(page),
            total_items=total,
            items_per_page=CATALOG_PAGE,
            first=link(1),
            last=link(last),
            next=link(page + 1) if page < last else None,
            previous=link(page - 1) if page > 1 else None,
        )
        themes = {t.name: t for t in svc.catalog.themes()}
        graph = catalog_to_graph(catalog_info(), views, urls, themes, hydra)
        return serialize_graph(graph, ext), RDF_FORMATS[ext][1]

    body, mimetype = _cached(etag, build)
    return _etag_response(body, mimetype, etag)


@bp.get("/data.json")
def data_json() -> ResponseReturnValue:
    svc = services()
    stamp = svc.catalog.stamp()
    etag = hashlib.sha256(repr((stamp, "data.json")).encode()).hexdigest()[:32]

    def build() -> tuple[bytes, str]:
        themes = {t.name: t for t in svc.catalog.themes()}
        doc = catalog_to_datajson(
            catalog_info(), list(svc.catalog.iter_all()), SiteUrls(svc.settings.site_url), themes
        )
        return json.dumps(doc, ensure_ascii=False).encode(), "application/json"

    body, mimetype = _cached(etag, build)
    return _etag_response(body, mimetype, etag)


def dataset_rdf_response(view: PublicDataset, ext: str) -> Response:
    """Return the DCAT record of one dataset in the format of extension ``ext``."""
    svc = services()
    themes = {t.name: t for t in svc.catalog.themes()}
    graph = dataset_to_graph(view, SiteUrls(svc.settings.site_url), themes)
    etag = hashlib.sha256(f"{view.id}{view.modified.isoformat()}{ext}".encode()).hexdigest()[:32]
    return _etag_response(serialize_graph(graph, ext), RDF_FORMATS[ext][1], etag)


@bp.get("/dataset/<slug:name>.<any(ttl, rdf, jsonld, nt):ext>")
def dataset_rdf(name: str, ext: str) -> ResponseReturnValue:
    view = services().catalog.get(name)
    if view is None:
        raise NotFound("dataset not found")
    return dataset_rdf_response(view, ext)


@bp.get("/dataset/<slug:name>/datapackage.json")
def datapackage(name: str) -> ResponseReturnValue:
    svc = services()
    view = svc.catalog.get(name)
    if view is None:
        raise NotFound("dataset not found")
    doc = dataset_to_datapackage(view, SiteUrls(svc.settings.site_url))
    etag = hashlib.sha256(f"{view.id}{view.modified.isoformat()}dp".encode()).hexdigest()[:32]
    return _etag_response(json.dumps(doc, ensure_ascii=False).encode(), "application/json", etag)
