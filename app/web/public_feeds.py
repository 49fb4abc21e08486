"""Machine-readable public surfaces: ``/sitemap.xml``, ``/robots.txt`` and the Atom feeds
(the site's new and updated datasets; one dataset's changes)."""

from __future__ import annotations

from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from flask import Response, redirect, url_for
from flask.typing import ResponseReturnValue

from app.context import services
from app.web.public import bp, org_counts, query_args, themes
from datasets.public import PublicDataset
from publishers import NotFound

ATOM = "http://www.w3.org/2005/Atom"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
FEED_SIZE = 50
DISALLOWED = (
    "/user",
    "/admin",
    "/review",
    "/dataset/new",
    "/dataset/edit/",
    "/dataset/*/manage",
    "/dataset/*/report",
    "/lang/",
)


def _site() -> str:
    return services().settings.site_url.rstrip("/")


def _xml(root: ET.Element, mimetype: str) -> Response:
    body = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return Response(body, mimetype=mimetype, headers={"Cache-Control": "public, max-age=300"})


@bp.get("/robots.txt")
def robots() -> ResponseReturnValue:
    lines = ["User-agent: *", "Allow: /"]
    lines += [f"Disallow: {path}" for path in DISALLOWED]
    lines += ["", f"Sitemap: {_site()}/sitemap.xml", ""]
    return Response("\n".join(lines), mimetype="text/plain")


@bp.get("/sitemap.xml")
def sitemap() -> ResponseReturnValue:
    site = _site()
    ET.register_namespace("", SITEMAP)
    root = ET.Element(f"{{{SITEMAP}}}urlset")

    def add(path: str, modified: datetime | None = None) -> None:
        url = ET.SubElement(root, f"{{{SITEMAP}}}url")
        ET.SubElement(url, f"{{{SITEMAP}}}loc").text = site + path
        if modified is not None:
            ET.SubElement(url, f"{{{SITEMAP}}}lastmod").text = modified.date().isoformat()

    for path in ("/", "/dataset", "/organization", "/group"):
        add(path)
    for org, count in org_counts():
        if count:
            add(f"/organization/{org.name}")
    for theme in themes():
        add(f"/group/{theme.name}")
    for view in services().catalog.iter_all():
        add(f"/dataset/{view.name}", view.modified)
        for resource in view.resources:
            add(f"/dataset/{view.name}/resource/{resource.id}", resource.modified)
    return _xml(root, "application/xml")


def _text(parent: ET.Element, tag: str, text: str, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    element.text = text
    return element


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _entry(feed: ET.Element, view: PublicDataset, site: str) -> None:
    entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
    _text(entry, "id", f"{site}/dataset/{view.id}")
    _text(entry, "title", view.title)
    _text(entry, "updated", _stamp(view.modified))
    _text(entry, "published", _stamp(view.issued))
    ET.SubElement(
        entry,
        f"{{{ATOM}}}link",
        {"rel": "alternate", "type": "text/html", "href": f"{site}/dataset/{view.name}"},
    )
    author = ET.SubElement(entry, f"{{{ATOM}}}author")
    _text(author, "name", view.organization.title)
    for tag in view.tags:
        ET.SubElement(entry, f"{{{ATOM}}}category", {"term": tag})
    _text(entry, "summary", view.description[:2000] or view.title, type="text")


def _feed(
    self_path: str, title: str, subtitle: str, html_path: str, updated: datetime
) -> ET.Element:
    site = _site()
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {"xml:lang": "vi"})
    _text(feed, "id", f"{site}{self_path}")
    _text(feed, "title", title)
    _text(feed, "subtitle", subtitle)
    _text(feed, "updated", _stamp(updated))
    ET.SubElement(feed, f"{{{ATOM}}}link", {"rel": "self", "href": f"{site}{self_path}"})
    ET.SubElement(
        feed,
        f"{{{ATOM}}}link",
        {"rel": "alternate", "type": "text/html", "href": f"{site}{html_path}"},
    )
    return feed


@bp.get("/feeds/dataset.atom")
def atom_feed() -> ResponseReturnValue:
    site = _site()
    views, _total = services().catalog.page(limit=FEED_SIZE)
    updated = max((v.modified for v in views), default=datetime(2020, 1, 1, tzinfo=UTC))
    feed = _feed(
        "/feeds/dataset.atom",
        "Dữ liệu mở Thành phố Hồ Chí Minh — dữ liệu mới và cập nhật",
        "Ho Chi Minh City Open Data: new and updated datasets",
        "/dataset",
        updated,
    )
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    _text(author, "name", "Thành phố Hồ Chí Minh")
    for view in views:
        _entry(feed, view, site)
    return _xml(feed, "application/atom+xml")


# What each change of a dataset's feed is called (Vietnamese / English).
_CHANGES = {
    "approve": ("Công bố phiên bản mới", "New version published"),
    "withdraw": ("Rút khỏi cổng", "Withdrawn"),
}


@bp.get("/dataset/<slug:name>/feed.atom")
def dataset_feed(name: str) -> ResponseReturnValue:
    """One published dataset's changes: its publications (with the change note) and
    withdrawals. Metadata only at every access level; a public dataset's entries also link
    its current files, which the public view holds only for public datasets."""
    svc = services()
    view = svc.catalog.get(name)
    if view is None:
        raise NotFound("dataset not found", name=name)
    if view.name != name:
        return redirect(url_for("public.dataset_feed", name=view.name, **query_args()), 301)
    site = _site()
    changes = [a for a in svc.catalog.activity(view.id, limit=FEED_SIZE) if a.action in _CHANGES]
    path = f"/dataset/{view.name}"
    feed = _feed(
        f"{path}/feed.atom",
        f"{view.title} — thay đổi",
        f"Changes of “{view.title_en or view.title}”",
        path,
        max([view.modified, *(a.created for a in changes)]),
    )
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    _text(author, "name", view.organization.title)
    for number, change in enumerate(changes):
        vi, en = _CHANGES[change.action]
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        stamp = _stamp(change.created)
        _text(entry, "id", f"{site}{path}#{change.action}-{stamp}")
        _text(entry, "title", f"{vi} / {en}: {view.title}")
        _text(entry, "updated", stamp)
        ET.SubElement(
            entry,
            f"{{{ATOM}}}link",
            {"rel": "alternate", "type": "text/html", "href": f"{site}{path}"},
        )
        if number == 0 and change.action == "approve":
            for resource in view.resources:  # empty unless the dataset is public
                href = f"{site}{path}/resource/{resource.id}"
                ET.SubElement(entry, f"{{{ATOM}}}link", {"rel": "related", "href": href})
        summary = change.comment or f"{vi} / {en}"
        _text(entry, "summary", summary[:2000], type="text")
    return _xml(feed, "application/atom+xml")
