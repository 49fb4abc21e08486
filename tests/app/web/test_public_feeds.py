"""Sitemap, robots.txt and the Atom feed of new and updated datasets."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from tests.factories import publish_sample

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def test_robots_allows_public_pages_and_points_to_the_sitemap(services, client) -> None:
    text = client.get("/robots.txt").get_data(as_text=True)
    lines = text.splitlines()
    assert "User-agent: *" in lines and "Allow: /" in lines
    for private in ("/user", "/admin", "/review", "/dataset/*/manage", "/dataset/new"):
        assert f"Disallow: {private}" in lines
    assert "Disallow: /dataset" not in lines and "Disallow: /" not in lines
    assert f"Sitemap: {services.settings.site_url.rstrip('/')}/sitemap.xml" in lines


def test_sitemap_lists_published_datasets_and_their_resources(services, client) -> None:
    dataset, rid, *_ = publish_sample(services)
    other, *_ = publish_sample(services, title="Dữ liệu khác")
    site = services.settings.site_url.rstrip("/")
    response = client.get("/sitemap.xml")
    assert response.mimetype == "application/xml"
    root = ET.fromstring(response.data)
    locs = [u.findtext(f"{SITEMAP}loc") for u in root.findall(f"{SITEMAP}url")]
    assert f"{site}/dataset/{dataset.name}" in locs
    assert f"{site}/dataset/{dataset.name}/resource/{rid}" in locs
    assert f"{site}/organization" in locs and f"{site}/" in locs
    lastmod = root.find(
        f"{SITEMAP}url[{SITEMAP}loc='{site}/dataset/{dataset.name}']/{SITEMAP}lastmod"
    )
    assert lastmod is not None and lastmod.text and len(lastmod.text) == 10
    assert f"{site}/dataset/{other.name}" in locs


def test_withdrawn_datasets_leave_sitemap_and_feed(services, client) -> None:
    dataset, _rid, _pub, steward = publish_sample(services)
    services.workflow.withdraw(steward, dataset.name, "Dữ liệu sai")
    assert dataset.name.encode() not in client.get("/sitemap.xml").data
    assert dataset.name.encode() not in client.get("/feeds/dataset.atom").data


def test_atom_feed_is_valid_atom_with_required_elements(services, client) -> None:
    first, *_ = publish_sample(services, title="Trạm dừng xe buýt")
    second, *_ = publish_sample(services, title="Bãi đỗ xe")
    response = client.get("/feeds/dataset.atom")
    assert response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert feed.findtext(f"{ATOM}{required}"), required
    assert feed.find(f"{ATOM}author/{ATOM}name") is not None
    assert feed.find(f"{ATOM}link[@rel='self']") is not None
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["Bãi đỗ xe", "Trạm dừng xe buýt"]
    site = services.settings.site_url.rstrip("/")
    for entry, dataset in zip(entries, (second, first), strict=True):
        assert entry.findtext(f"{ATOM}id") == f"{site}/dataset/{dataset.id}"
        assert entry.findtext(f"{ATOM}updated").endswith("Z")
        link = entry.find(f"{ATOM}link[@rel='alternate']")
        assert link is not None and link.get("href") == f"{site}/dataset/{dataset.name}"
        assert entry.findtext(f"{ATOM}summary")
    assert feed.findtext(f"{ATOM}updated") == entries[0].findtext(f"{ATOM}updated")
