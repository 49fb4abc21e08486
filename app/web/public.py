"""Public pages: home, search, organizations, themes, language, health.

Dataset and resource pages live in ``public_dataset``, feeds in ``public_feeds``; all of
them are routes of this blueprint (``public.*``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime
from typing import Any
from urllib.parse import urlparse

from flask import Blueprint, abort, g, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from app.context import services
from app.i18n import LANG_COOKIE, LOCALES
from app.place_filters import filter_keys, place_labels
from app.web.access_text import access_level_text
from app.web.page_cache import anonymous_page
from datasets.access import ACCESS_LEVELS
from datasets.column_labels import ColumnLabel, labels
from datasets.public import PublicOrganization, PublicTheme
from datasets.vocab import LICENSES
from publishers import NotFound
from search_index import (
    FACET_FIELDS,
    MAX_QUERY_CHARS,
    MAX_QUERY_WORDS,
    QueryTooLong,
    SearchPage,
    SearchQuery,
    SortOrder,
    shorten_query_text,
)

bp = Blueprint("public", __name__)
PAGE_SIZE = 20
MAX_PAGE = 500


def themes() -> list[PublicTheme]:
    """The site's themes, read once per request."""
    if "public_themes" not in g:
        g.public_themes = services().catalog.themes()
    return list(g.public_themes)


def org_counts() -> list[tuple[PublicOrganization, int]]:
    """Every organization with its published count, read once per request."""
    if "public_orgs" not in g:
        g.public_orgs = services().catalog.organizations()
    return list(g.public_orgs)


def _title(vi: str, en: str) -> str:
    return en if str(get_locale()) == "en" and en else vi


def facet_labels() -> dict[str, dict[str, str]]:
    """Human labels of facet values in the current language (organization and theme titles)."""
    return {
        "organization": {o.name: _title(o.title, o.title_en) for o, _n in org_counts()},
        "theme": {t.name: _title(t.title, t.title_en) for t in themes()},
        "license_id": {lic.id: lic.title for lic in LICENSES.values()},
        "access_level": {level: access_level_text(level)[0] for level in ACCESS_LEVELS},
    }


def page_number(args: Mapping[str, str]) -> int:
    """The requested page, clamped to 1..MAX_PAGE (garbage is page 1)."""
    try:
        return max(1, min(int(args.get("page", 1)), MAX_PAGE))
    except (TypeError, ValueError):
        return 1


def pages_for(total: int, page_size: int = PAGE_SIZE) -> int:
    """How many pages ``total`` results fill (at least one, at most MAX_PAGE)."""
    return max(1, min(math.ceil(total / page_size), MAX_PAGE))


def listing(filters: dict[str, tuple[str, ...]], args: Mapping[str, str]) -> dict[str, object]:
    """Template values of a paged, sorted dataset listing (organization and theme pages)."""
    page = page_number(args)
    sort = _sort(args.get("sort", ""), SortOrder.MODIFIED)
    query = SearchQuery(
        filters=filters, sort=sort, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE, facets=()
    )
    found = services().catalog.search(query)
    return {"result": found.page, "datasets": found.views, "page": page, "query": query}


def _sort(value: str, default: SortOrder) -> SortOrder:
    try:
        return SortOrder(value)
    except ValueError:
        return default


@bp.get("/")
def home() -> ResponseReturnValue:
    svc = services()
    newest, _total = svc.catalog.page(limit=6)
    popular = svc.catalog.search(SearchQuery(sort=SortOrder.POPULARITY, limit=6, facets=("theme",)))
    theme_counts = dict(popular.facets.get("theme", ()))
    counts = svc.catalog.counts()
    shown = [d for d in popular.views if d.downloads > 0]
    organizations = [o for o in org_counts() if o[1]]

    def render() -> str:
        return render_template(
            "public/home.html",
            counts=counts,
            newest=newest,
            popular=shown,
            organizations=organizations,
            themes=[(t, theme_counts.get(t.name, 0)) for t in themes()],
        )

    parts = (
        counts,
        tuple((d.id, d.downloads) for d in shown),
        tuple((o.name, n) for o, n in organizations),
        tuple(sorted(theme_counts.items())),
    )
    return anonymous_page(parts, [*newest, *popular.views], render)


def search_query(args: MultiDict[str, str], text: str | None = None) -> SearchQuery:
    """The search of ``/dataset`` from its query string (CKAN's parameter names).

    Raises ``QueryTooLong`` past the caps; ``text`` replaces ``q`` (a shortened one).
    """
    page = page_number(args)
    filters = {f: tuple(v[:100] for v in args.getlist(f)[:10]) for f in FACET_FIELDS}
    filters["place"] = filter_keys(filters["place"])  # "Phường Bến Thành" → "26743"
    return SearchQuery(
        text=text if text is not None else args.get("q", ""),
        filters={f: v for f, v in filters.items() if v},
        sort=_sort(args.get("sort", ""), SortOrder.RELEVANCE),
        offset=(page - 1) * PAGE_SIZE,
        limit=PAGE_SIZE,
        highlight=True,
        facet_limit=12,
        overdue_at=services().freshness.now() if args.get("overdue") == "1" else None,
    )


@bp.get("/dataset")
def search() -> ResponseReturnValue:
    notice = None
    try:
        query = search_query(request.args)
    except QueryTooLong:
        query = search_query(request.args, shorten_query_text(request.args.get("q", "")))
        notice = _(
            "Your search was too long: only its first %(words)s words "
            "(at most %(chars)s characters) were searched.",
            words=MAX_QUERY_WORDS,
            chars=MAX_QUERY_CHARS,
        )
    found = services().catalog.search(query)
    overdue = services().freshness.flags(found.views)
    places = _place_facet(query) if found.total else ()

    def render() -> str:
        return render_template(
            "public/search.html",
            places=places,
            notice=notice,
            query=query,
            result=found.page,
            page=query.offset // PAGE_SIZE + 1,
            pages=pages_for(found.total),
            datasets=found.views,
            highlights={hit.id: hit.highlights for hit in found.page.hits},
            filters=query.filters,
            labels={**facet_labels(), "place": place_labels(query.filters.get("place", ()))},
            overdue=overdue,
        )

    parts = (page_stamp(found.page), tuple(overdue.items()), places)
    return anonymous_page(parts, found.views, render)


def page_stamp(page: SearchPage) -> tuple[object, ...]:
    """What a rendered page of search results shows of the index's answer, hashable."""
    hits = tuple((h.id, tuple(sorted(h.highlights.items()))) for h in page.hits)
    return page.total, page.suggestion, hits, tuple(sorted(page.facets.items()))


def _place_facet(query: SearchQuery) -> tuple[tuple[str, int], ...]:
    """The place facet of ``query``: current units only, most datasets first, at most 12.

    The index also holds old units (so that old names find datasets), which would crowd
    the facet's first values; counting every value of this one facet sorts that out.
    """
    page = services().search.search(
        replace(query, offset=0, limit=0, facets=("place",), facet_limit=-1, highlight=False)
    )
    current = place_labels()
    return tuple((k, n) for k, n in page.facets.get("place", ()) if k in current)[:12]


@bp.get("/organization")
def organizations() -> ResponseReturnValue:
    return render_template("public/organizations.html", organizations=org_counts())


@bp.get("/organization/<slug:name>")
def organization(name: str) -> ResponseReturnValue:
    org = next((o for o, _n in org_counts() if name in (o.name, o.id)), None)
    if org is None:
        raise NotFound("organization not found", name=name)
    values = listing({"organization": (org.name,)}, request.args)
    return render_template(
        "public/organization.html", organization=org, pages=_pages(values), **values
    )


def _pages(values: Mapping[str, object]) -> int:
    result = values["result"]
    assert isinstance(result, SearchPage)
    return pages_for(result.total)


@bp.get("/group")
def theme_list() -> ResponseReturnValue:
    result = services().search.search(SearchQuery(limit=0, facets=("theme",), facet_limit=-1))
    counts = dict(result.facets.get("theme", ()))
    return render_template(
        "public/themes.html", themes=[(t, counts.get(t.name, 0)) for t in themes()]
    )


@bp.get("/group/<slug:name>")
def theme(name: str) -> ResponseReturnValue:
    found = next((t for t in themes() if t.name == name), None)
    if found is None:
        raise NotFound("theme not found", name=name)
    values = listing({"theme": (found.name,)}, request.args)
    return render_template("public/theme.html", theme=found, pages=_pages(values), **values)


@bp.get("/lang/<code>")
def set_language(code: str) -> ResponseReturnValue:
    if code not in LOCALES:
        abort(404)
    target = request.args.get("next", "/")
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
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


def link_with(endpoint: str, params: Mapping[str, str] | None = None, **changes: object) -> str:
    """A URL of ``endpoint`` keeping the current query arguments, with some changed.

    ``changes`` replace arguments (None removes one, a list gives several values);
    ``params`` are the endpoint's path values (they win over any query argument).
    """
    args: dict[str, Any] = query_args()
    args.pop("partial", None)
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = list(value) if isinstance(value, list | tuple) else [str(value)]
    args.update(params or {})
    return url_for(endpoint, **args)


def query_args() -> dict[str, Any]:
    """The request's query arguments, without names ``url_for`` would take as options."""
    return {k: v for k, v in request.args.to_dict(flat=False).items() if not k.startswith("_")}


def page_url(endpoint: str, page: int, params: Mapping[str, str] | None = None) -> str:
    """The URL of another page of the current listing."""
    return link_with(endpoint, params, page=page)


def isodate(value: object) -> str:
    """Format an ISO date string in the current locale (other values unchanged)."""
    try:
        return str(format_date(date.fromisoformat(str(value)[:10]), "medium"))
    except ValueError:
        return str(value)


def day(value: datetime | date | None) -> str:
    """Format the day of a moment in the current locale and the city's time zone."""
    return "" if value is None else str(format_date(value, "medium"))


def current_language() -> str:
    """The page's language code, for macros (imported without the template context)."""
    return str(get_locale() or "vi")


def column_labels(schema: Mapping[str, Any] | None) -> dict[str, ColumnLabel]:
    """``{column name: ColumnLabel}`` of a Table Schema in the page's language (issue 21)."""
    return labels(schema, current_language())


bp.add_app_template_global(current_language, "current_language")
bp.add_app_template_global(column_labels, "column_labels")
bp.add_app_template_filter(isodate, "isodate")
bp.add_app_template_filter(day, "day")
bp.add_app_template_global(link_with, "link_with")
bp.add_app_template_global(page_url, "page_url")
