"""Read actions: status, packages, resources, organizations, groups, tags, licences, activity.

Everything the public gets comes from ``PublicCatalog`` (published datasets only). Members of
the owning organization (and sysadmins) also see drafts through ``package_show`` and
``resource_show``; nobody else learns that a draft exists (``Not Found Error``).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from flask import url_for
from sqlalchemy import select

from app.ckan_api.dicts import (
    DictContext,
    activity_dict,
    group_dict,
    organization_dict,
    package_from_member,
    package_from_public,
    tag_dict,
)
from app.ckan_api.errors import not_found
from app.ckan_api.params import ActionRequest, flag, integer, required, text
from app.ckan_api.search_params import (
    DEFAULT_SORT,
    facet_mincount,
    include_flags,
    parse_package_search,
    result_fields,
)
from app.context import services
from app.encoded_views import as_dict
from app.fast_json import Encoded
from app.indexing import document_from_member
from datasets import LICENSES, MemberDataset, PublicDataset, member_dataset
from datasets.model import Activity, Dataset, DatasetState, Resource
from publishers import NotFound, Permission, can
from search_index import MAX_MEMORY_DOCUMENTS, SearchQuery, SearchQueryError, matching_ids

MAX_LIST = 1000
# CKAN's facet names for the portal's facet fields (themes are CKAN groups).
_FACET_NAMES = {"theme": "groups"}


def dict_context() -> DictContext:
    """Load what package dicts need once per request."""
    svc = services()
    return DictContext(
        download_url=lambda name, rid, filename: url_for(
            "downloads.download", name=name, resource_id=rid, filename=filename, _external=True
        ),
        themes={t.name: t for t in svc.catalog.themes()},
        org_created={o.id: o.created for o in svc.accounts.list_organizations()},
    )


def _context_key(ctx: DictContext) -> tuple[object, ...]:
    """What package dicts read besides the view (``app.encoded_views``): the download
    URLs' form (the site's address as this request names it), themes, organizations."""
    return (
        ctx.download_url("{name}", "{resource}", "{filename}"),
        tuple(ctx.themes.values()),
        tuple(sorted(ctx.org_created.items())),
    )


def public_packages(views: list[PublicDataset], ctx: DictContext) -> list[Encoded | dict[str, Any]]:
    """The CKAN package dicts of public views (from ``PublicCatalog``), encoded; remembered
    per view and context (``app.encoded_views``), so a long list is mostly a copy."""
    return services().caches.views.items(
        "ckan", views, _context_key(ctx), lambda view: package_from_public(view, ctx)
    )


def visible_package(
    req: ActionRequest, name_or_id: str, *, asked: str = "", surface: str | None = None
) -> dict[str, Any]:
    """Return the package dict ``req``'s caller may see; raise ``Not Found Error``.

    The error names only what the caller ``asked`` for (by default ``name_or_id``), so a
    refusal reads exactly like the answer for something that does not exist. A published
    dataset carries the resources of the caller's projection (``services.readers``); with a
    ``surface``, a read of non-public data is logged.
    """
    svc = services()
    ctx = dict_context()
    actor = req.caller.actor
    with svc.sessions() as session:
        try:
            member: MemberDataset | None = member_dataset(session, actor, name_or_id)
        except NotFound:
            member = None
    # Members get the revision they work on while something is unpublished; a published
    # dataset without pending changes reads exactly as the public sees it.
    if member is not None and (
        member.state != DatasetState.PUBLISHED.value or member.has_pending_revision
    ):
        return package_from_member(member, ctx)
    record = svc.catalog.get(name_or_id)
    if record is None:
        raise not_found(asked or name_or_id)
    reader = svc.readers.view(actor, record)
    if surface is not None:
        svc.readers.record(actor, reader, surface=surface)
    return package_from_public(reader.dataset, ctx)


def status_show(req: ActionRequest) -> dict[str, Any]:
    """CKAN's site status."""
    settings = services().settings
    return {
        "site_title": "Open Data Portal",
        "site_url": settings.site_url,
        "site_description": "",
        "ckan_version": "2.10.0",
        "api_version": 3,
        "locale_default": "vi",
        "extensions": ["datastore"],
    }


def package_list(req: ActionRequest) -> list[str]:
    """Names of published datasets, alphabetical."""
    limit = integer(req.params, "limit", 100_000, 0, 100_000)
    offset = integer(req.params, "offset", 0, 0, 10_000_000)
    views, _total = services().catalog.page(offset=offset, limit=limit, newest_first=False)
    return [v.name for v in views]


def package_search(req: ActionRequest) -> dict[str, Any]:
    """Search datasets with CKAN's q, fq, fq_list (Solr syntax), facet, facet.field,
    facet.limit, facet.mincount, rows, start, sort, fl, include_private and include_drafts.

    Published datasets of every access level are listed for every caller (their metadata is
    public; ``private`` is true and no resources are listed for non-public data).
    ``include_drafts`` adds, for a signed-in caller, the unpublished datasets they created and
    may still read, and with ``include_private`` too every unpublished dataset of the
    organizations they are a member of; they come before the published ones.
    """
    query = parse_package_search(req.params)
    fields = result_fields(req.params)
    mincount = facet_mincount(req.params)
    ctx = dict_context()
    drafts = _matching_drafts(req, query, ctx)
    skipped = min(query.offset, len(drafts))
    shown = drafts[skipped : skipped + query.limit]
    published = dataclasses.replace(
        query, offset=query.offset - skipped, limit=query.limit - len(shown)
    )
    found = services().catalog.search(published)
    titles = _facet_titles(ctx) if query.facets else {}
    facets: dict[str, dict[str, int]] = {}
    search_facets: dict[str, Any] = {}
    for field, all_counts in found.facets.items():
        counts = [(value, n) for value, n in all_counts if n >= mincount]
        name = _FACET_NAMES.get(field, field)
        facets[name] = dict(counts)
        search_facets[name] = {
            "title": name,
            "items": [
                {"name": value, "display_name": titles.get(field, {}).get(value, value), "count": n}
                for value, n in counts
            ],
        }
    results: list[Encoded | dict[str, Any]] = [*shown, *public_packages(found.views, ctx)]
    return {
        "count": found.total + len(drafts),
        "sort": text(req.params, "sort") or DEFAULT_SORT,
        "facets": facets,
        "search_facets": search_facets,
        "results": [_only(as_dict(p), fields) for p in results] if fields else results,
    }


def _matching_drafts(
    req: ActionRequest, query: SearchQuery, ctx: DictContext
) -> list[dict[str, Any]]:
    """Return the package dicts of the unpublished datasets the caller asked for and may read
    (``include_drafts``; see ``package_search``) that ``query`` matches, in its order."""
    include_private, include_drafts = include_flags(req.params)
    actor = req.caller.actor
    if not include_drafts or actor.user_id is None:
        return []
    unpublished = (DatasetState.PUBLISHED.value, DatasetState.WITHDRAWN.value)
    statement = (
        select(Dataset.id)
        .where(Dataset.state.not_in(unpublished))
        .order_by(Dataset.created.desc(), Dataset.id)
        .limit(MAX_MEMORY_DOCUMENTS)
    )
    if not actor.is_sysadmin:
        statement = statement.where(Dataset.organization_id.in_(list(actor.roles)))
    if not include_private:
        statement = statement.where(Dataset.created_by == actor.user_id)
    views: dict[str, MemberDataset] = {}
    with services().sessions() as session:
        for dataset_id in session.scalars(statement):
            try:  # the same check as package_show: members of the organization only
                views[dataset_id] = member_dataset(session, actor, dataset_id)
            except NotFound:
                continue
    ids = matching_ids([document_from_member(v) for v in views.values()], query)
    return [package_from_member(views[i], ctx) for i in ids]


def _only(package: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    """Return the keys ``fl`` asks for; a name a package does not have is refused."""
    unknown = [f for f in fields if f not in package]
    if unknown:
        raise SearchQueryError(
            f"fl: unknown field {unknown[0]!r}; use keys of a package such as id,name,title"
        )
    return {f: package[f] for f in fields}


def _facet_titles(ctx: DictContext) -> dict[str, dict[str, str]]:
    orgs = {o.name: o.title for o, _count in services().catalog.organizations()}
    return {"organization": orgs, "theme": {n: t.title for n, t in ctx.themes.items()}}


def package_show(req: ActionRequest) -> dict[str, Any]:
    """One dataset: published for everyone, drafts for the organization's members."""
    return visible_package(req, required(req.params, "id"), surface="ckan")


def current_package_list_with_resources(req: ActionRequest) -> list[Encoded | dict[str, Any]]:
    """Published datasets with their resources, most recently modified first."""
    limit = integer(req.params, "limit", 100, 1, MAX_LIST)
    offset = integer(req.params, "offset", 0, 0, 10_000_000)
    views, _total = services().catalog.page(offset=offset, limit=limit, newest_first=True)
    return public_packages(views, dict_context())


def dataset_of_resource(resource_id: str) -> str:
    """Return the id of the dataset holding ``resource_id``; raise ``Not Found Error``."""
    with services().sessions() as session:
        dataset_id = session.scalar(select(Resource.dataset_id).where(Resource.id == resource_id))
    if dataset_id is None:
        raise not_found(resource_id)
    return str(dataset_id)


def package_of_resource(req: ActionRequest, resource_id: str) -> dict[str, Any]:
    """Return the package holding ``resource_id`` if the caller may see it.

    Otherwise ``Not Found Error`` naming the resource only: the id of a draft holding it
    is never told to an outsider.
    """
    return visible_package(req, dataset_of_resource(resource_id), asked=resource_id)


def resource_show(req: ActionRequest) -> dict[str, Any]:
    """One resource of a dataset the caller may see."""
    resource_id = required(req.params, "id")
    package = package_of_resource(req, resource_id)
    for resource in package["resources"]:
        if resource["id"] == resource_id:
            return dict(resource)
    raise not_found(resource_id)


def organization_list(req: ActionRequest) -> list[Any]:
    """Organizations by name (``all_fields`` gives dicts with ``package_count``)."""
    ctx = dict_context()
    rows = sorted(services().catalog.organizations(), key=lambda pair: pair[0].name)
    limit = integer(req.params, "limit", MAX_LIST, 0, MAX_LIST)
    rows = rows[integer(req.params, "offset", 0, 0, 10_000_000) :][:limit]
    if not flag(req.params, "all_fields"):
        return [org.name for org, _count in rows]
    return [organization_dict(org, ctx.org_created.get(org.id), count) for org, count in rows]


def organization_show(req: ActionRequest) -> dict[str, Any]:
    """One organization; ``include_datasets`` adds its published datasets (up to 1000)."""
    wanted = required(req.params, "id")
    svc = services()
    ctx = dict_context()
    for org, count in svc.catalog.organizations():
        if wanted in (org.id, org.name):
            out = organization_dict(org, ctx.org_created.get(org.id), count)
            if flag(req.params, "include_datasets"):
                views, _total = svc.catalog.page(organization_id=org.id, limit=MAX_LIST)
                out["packages"] = public_packages(views, ctx)
            return out
    raise not_found(wanted)


def _theme_counts() -> dict[str, int]:
    page = services().search.search(SearchQuery(limit=0, facets=("theme",), facet_limit=-1))
    return dict(page.facets.get("theme", ()))


def group_list(req: ActionRequest) -> list[Any]:
    """Themes as CKAN groups (``all_fields`` gives dicts with ``package_count``)."""
    themes = services().catalog.themes()
    if not flag(req.params, "all_fields"):
        return [t.name for t in themes]
    counts = _theme_counts()
    return [group_dict(t.name, t, counts.get(t.name, 0)) for t in themes]


def group_show(req: ActionRequest) -> dict[str, Any]:
    """One theme; ``include_datasets`` adds its published datasets (up to 1000)."""
    wanted = required(req.params, "id")
    ctx = dict_context()
    theme = next(
        (t for t in ctx.themes.values() if wanted in (t.name, group_dict(t.name, t)["id"])), None
    )
    if theme is None:
        raise not_found(wanted)
    out = group_dict(theme.name, theme, _theme_counts().get(theme.name, 0))
    if flag(req.params, "include_datasets"):
        found = services().catalog.search(
            SearchQuery(filters={"theme": (theme.name,)}, limit=MAX_LIST, facets=())
        )
        out["packages"] = public_packages(found.views, ctx)
    return out


def tag_list(req: ActionRequest) -> list[Any]:
    """Tags of published datasets (``query`` filters by substring; ``all_fields`` gives dicts)."""
    page = services().search.search(SearchQuery(limit=0, facets=("tags",), facet_limit=-1))
    wanted = text(req.params, "query").strip().lower()
    names = sorted(name for name, _n in page.facets.get("tags", ()) if wanted in name.lower())
    return [tag_dict(n) for n in names] if flag(req.params, "all_fields") else names


def license_list(req: ActionRequest) -> list[dict[str, Any]]:
    """The licences datasets may carry."""
    return [
        {
            "id": lic.id,
            "title": lic.title,
            "url": lic.url,
            "status": "active",
            "od_conformance": "approved",
            "osd_conformance": "not reviewed",
            "is_okd_compliant": True,
            "is_osi_compliant": False,
            "spdx": lic.spdx,
        }
        for lic in LICENSES.values()
    ]


def package_activity_list(req: ActionRequest) -> list[dict[str, Any]]:
    """A dataset's activity, newest first (``offset``, ``limit``)."""
    package = visible_package(req, required(req.params, "id"))
    offset = integer(req.params, "offset", 0, 0, 10_000)
    limit = integer(req.params, "limit", 31, 1, 100)
    member = can(req.caller.actor, Permission.READ_DRAFT, package["owner_org"])
    entries = services().workflow.activity(package["id"], limit=offset + limit)[offset:]
    return [activity_dict(a, package, show_user=member) for a in entries]


def recently_changed_packages_activity_list(req: ActionRequest) -> list[dict[str, Any]]:
    """Recent activity of published datasets, newest first."""
    limit = integer(req.params, "limit", 31, 1, 100)
    offset = integer(req.params, "offset", 0, 0, 10_000)
    svc = services()
    with svc.sessions() as session:
        rows = session.execute(
            select(Activity, Dataset.id)
            .join(Dataset, Dataset.id == Activity.dataset_id)
            .where(Dataset.state == DatasetState.PUBLISHED.value)
            .order_by(Activity.created.desc(), Activity.id)
            .offset(offset)
            .limit(limit)
        ).all()
        activities = [a for a, _id in rows]
        session.expunge_all()
    views = {v.id: v for v in svc.catalog.get_many(a.dataset_id for a in activities)}
    out = []
    for activity in activities:
        view = views.get(activity.dataset_id)
        if view is not None:
            package = {"id": view.id, "name": view.name, "title": view.title}
            out.append(activity_dict(activity, package, show_user=False))
    return out
