"""Machine-readable metadata: DCAT records of datasets (more formats in metadata/)."""

from __future__ import annotations

from flask import Blueprint, Response
from flask.typing import ResponseReturnValue

from app.context import services
from metadata import RDF_FORMATS, SiteUrls, dataset_to_graph, serialize_graph
from publishers import NotFound

bp = Blueprint("catalog", __name__)


@bp.get("/dataset/<slug:name>.<any(ttl, rdf, jsonld, nt):ext>")
def dataset_rdf(name: str, ext: str) -> ResponseReturnValue:
    svc = services()
    view = svc.catalog.get(name)
    if view is None:
        raise NotFound("dataset not found")
    themes = {t.name: t for t in svc.catalog.themes()}
    graph = dataset_to_graph(view, SiteUrls(svc.settings.site_url), themes)
    body = serialize_graph(graph, ext)
    return Response(body, mimetype=RDF_FORMATS[ext][1])
