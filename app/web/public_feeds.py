"""Machine-readable public surfaces: ``/sitemap.xml``, ``/robots.txt`` and the Atom feed."""

from __future__ import annotations

from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from flask import Response
from flask.typing import ResponseReturnValue

from app.context import services
from app.web.public import bp, org_counts, themes
from datasets.public import PublicDataset

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


@bp.get("/feeds/dataset.atom")
def atom_feed() -> ResponseReturnValue:
    site = _site()
    views, _total = services().catalog.page(limit=FEED_SIZE)
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {"xml:lang": "vi"})
    _text(feed, "id", f"{site}/feeds/dataset.atom")
    _text(feed, "title", "Dữ liệu mở Thành phố Hồ Chí Minh — dữ liệu mới và cập nhật")
    _text(feed, "subtitle", "Ho Chi Minh City Open Data: new and updated datasets")
    updated = max((v.modified for v in views), default=datetime(2020, 1, 1, tzinfo=UTC))
    _text(feed, "updated", _stamp(updated))
    ET.SubElement(feed, f"{{{ATOM}}}link", {"rel": "self", "href": f"{site}/feeds/dataset.atom"})
    ET.SubElement(
        feed,
        f"{{{ATOM}}}link",
        {"rel": "alternate", "type": "text/html", "href": f"{site}/dataset"},
    )
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    _text(author, "name", "Thành phố Hồ Chí Minh")
    for view in views:
        _entry(feed, view, site)
    return _xml(feed, "application/atom+xml")
