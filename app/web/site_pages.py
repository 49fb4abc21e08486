"""Site content on public pages: the site title, the site's pages (about, terms of use,
privacy, contact), featured datasets.

Sysadmins edit the content at ``/admin/site`` (stored in the database, SPEC §5); the
templates read it through the helpers this blueprint installs.
"""

from __future__ import annotations

from flask import Blueprint, Response, g, render_template
from flask.typing import ResponseReturnValue
from flask_babel import get_locale

from app.context import services
from datasets.public import PublicDataset
from publishers import SiteContent
from publishers.site import darker

bp = Blueprint("site", __name__)


def site_content() -> SiteContent:
    """The site content, read once per request."""
    if "site_content" not in g:
        g.site_content = services().site.content()
    content: SiteContent = g.site_content
    return content


def _localized(vi: str, en: str) -> str:
    return en if str(get_locale()) == "en" and en else vi


def featured_datasets() -> list[PublicDataset]:
    """The featured datasets that are published, in the order the sysadmin chose."""
    catalog = services().catalog
    return [view for name in site_content().featured if (view := catalog.get(name)) is not None]


@bp.app_context_processor
def _site_helpers() -> dict[str, object]:
    content = site_content()
    return {
        "site_title": _localized(content.title_vi, content.title_en),
        "featured_datasets": featured_datasets,
    }


def _page(name: str) -> ResponseReturnValue:
    text = site_content().page(name, str(get_locale()))
    return render_template("site/page.html", page=name, text=text)


@bp.get("/about")
def about() -> ResponseReturnValue:
    return _page("about")


@bp.get("/terms")
def terms() -> ResponseReturnValue:
    return _page("terms")


@bp.get("/privacy")
def privacy() -> ResponseReturnValue:
    return _page("privacy")


@bp.get("/contact")
def contact() -> ResponseReturnValue:
    return _page("contact")


@bp.get("/brand.css")
def brand_css() -> Response:
    """The city's colour as CSS custom properties (empty when the built-in one applies); a
    stylesheet from the site itself, so the Content-Security-Policy needs no inline style."""
    color = site_content().brand_color
    css = f":root {{ --accent:{color}; --accent-dark:{darker(color)}; }}\n" if color else ""
    response = Response(css, mimetype="text/css")
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
