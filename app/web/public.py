"""Public pages: home, search, dataset, resource, organizations, health, language."""

from __future__ import annotations

from urllib.parse import urlparse

from flask import Blueprint, abort, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from app.context import current_actor, services
from app.i18n import LANG_COOKIE, LOCALES
from app.web.catalog import dataset_rdf_response
from datasets.preview import preview_csv
from datasets.vocab import FREQUENCIES, LICENSES
from metadata import SiteUrls, dataset_to_schemaorg, negotiate_rdf_format, schemaorg_script_json
from publishers import NotFound, Permission, can
from search_index import FACET_FIELDS, SearchQuery, SortOrder

bp = Blueprint("public", __name__)
PAGE_SIZE = 20


@bp.get("/")
def home() -> ResponseReturnValue:
    svc = services()
    newest, _total = svc.catalog.page(limit=6)
    popular = svc.search.search(SearchQuery(sort=SortOrder.POPULARITY, limit=6, facets=()))
    return render_template(
        "public/home.html",
        counts=svc.catalog.counts(),
        newest=newest,
        popular=_views(hit.id for hit in popular.hits),
        organizations=[o for o in svc.catalog.organizations() if o[1]],
        themes=svc.catalog.themes(),
    )


def _views(ids: object) -> list[object]:
    catalog = services().catalog
    return [v for i in ids if (v := catalog.get(str(i))) is not None]  # type: ignore[attr-defined]


@bp.get("/dataset")
def search() -> ResponseReturnValue:
    args = request.args
    page = max(1, min(args.get("page", 1, type=int) or 1, 500))
    filters = {f: tuple(args.getlist(f)) for f in FACET_FIELDS if args.getlist(f)}
    try:
        sort = SortOrder(args.get("sort", "relevance"))
    except ValueError:
        sort = SortOrder.RELEVANCE
    query = SearchQuery(
        text=args.get("q", "")[:200],
        filters=filters,
        sort=sort,
        offset=(page - 1) * PAGE_SIZE,
        limit=PAGE_SIZE,
        highlight=True,
    )
    result = services().search.search(query)
    return render_template(
        "public/search.html",
        query=query,
        result=result,
        page=page,
        page_size=PAGE_SIZE,
        datasets=_views(hit.id for hit in result.hits),
        highlights={hit.id: hit.highlights for hit in result.hits},
        filters=filters,
    )


@bp.get("/dataset/<slug:name>")
def dataset(name: str) -> ResponseReturnValue:
    svc = services()
    view = svc.catalog.get(name)
    if view is None:
        return redirect(url_for("manage.dataset", name=name))  # members see drafts there
    if view.name != name:
        return redirect(url_for("public.dataset", name=view.name), 301)
    ext = negotiate_rdf_format(request.headers.get("Accept"))
    if ext is not None:
        return dataset_rdf_response(view, ext)
    previews = {}
    for resource in view.resources:
        if resource.is_tabular and resource.sha256:
            with svc.public_store.open(resource.sha256) as stream:
                previews[resource.id] = preview_csv(stream, limit=10)
    actor = current_actor()
    return render_template(
        "public/dataset.html",
        dataset=view,
        previews=previews,
        license=LICENSES.get(view.license_id),
        frequencies=FREQUENCIES,
        themes={t.name: t for t in svc.catalog.themes()},
        activity=svc.workflow.activity(view.id, limit=10),
        can_manage=can(actor, Permission.EDIT_DATASET, view.organization.id),
        schemaorg=schemaorg_script_json(
            dataset_to_schemaorg(view, SiteUrls(svc.settings.site_url))
        ),
    )


@bp.get("/dataset/<slug:name>/resource/<slug:resource_id>")
def resource(name: str, resource_id: str) -> ResponseReturnValue:
    svc = services()
    view = svc.catalog.get(name)
    found = next((r for r in view.resources if r.id == resource_id), None) if view else None
    if view is None or found is None:
        raise NotFound("resource not found")
    preview = None
    if found.is_tabular and found.sha256:
        with svc.public_store.open(found.sha256) as stream:
            preview = preview_csv(stream, limit=50)
    return render_template("public/resource.html", dataset=view, resource=found, preview=preview)


@bp.get("/organization")
def organizations() -> ResponseReturnValue:
    return render_template(
        "public/organizations.html", organizations=services().catalog.organizations()
    )


@bp.get("/organization/<slug:name>")
def organization(name: str) -> ResponseReturnValue:
    svc = services()
    org = svc.accounts.get_organization(name)
    views, total = svc.catalog.page(organization_id=org.id, limit=100)
    return render_template(
        "public/organization.html", organization=org, datasets=views, total=total
    )


@bp.get("/lang/<code>")
def set_language(code: str) -> ResponseReturnValue:
    if code not in LOCALES:
        abort(404)
    target = request.args.get("next", "/")
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/"):
        target = "/"  # never redirect off-site
    response = redirect(target)
    response.set_cookie(LANG_COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    return jsonify({"status": "ok"})


@bp.get("/readyz")
def readyz() -> ResponseReturnValue:
    checks = services().ready_checks()
    ok = all(v == "ok" for v in checks.values())
    return jsonify({"status": "ok" if ok else "unavailable", "checks": checks}), 200 if ok else 503
