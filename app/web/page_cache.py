"""Whole public pages rendered once and reused for anonymous readers.

A page is reused only when everything it shows is the same: the cache key holds the
request's endpoint, path with query string and language, the site's own texts, plus the
``parts`` the view passes (usage counts, activity, overdue flags, search hits...), and the
entry is valid only while the ``views`` it was rendered from are the very objects
``PublicCatalog`` returns now (its view cache hands out the same object while a dataset's
stamp is unchanged). What moves neither (an organization's or a theme's title) shows up to
``OPENDATA_PAGE_CACHE_SECONDS`` late.

Never cached: a signed-in reader's page, a request with messages waiting in its session,
a page whose rendering touched the session (a CSRF token), a page of non-public data
(callers check the access level), a page over ``MAX_BYTES``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from flask import request, session
from flask_babel import get_locale
from flask_login import current_user

from app.context import services
from app.web.site_pages import site_content

# A larger page is rendered every time rather than remembered.
MAX_BYTES = 256 * 1024


def anonymous_page(
    parts: tuple[object, ...], views: Sequence[object], render: Callable[[], str]
) -> str:
    """Return ``render()``, reused for anonymous readers while ``parts`` and ``views`` hold."""
    pages = services().caches.pages
    if pages is None or not _anonymous_get():
        return render()
    key = (request.endpoint, request.full_path, str(get_locale()), site_content(), *parts)
    found = pages.get(key)
    if found is not None and _same(found[0], views):
        return found[1]
    html = render()
    per_reader = session.modified or 'name="csrf_token"' in html
    if not per_reader and len(html) <= MAX_BYTES:
        pages.put(key, (tuple(views), html))
    return html


def _anonymous_get() -> bool:
    return (
        request.method == "GET"
        and not current_user.is_authenticated
        and "_flashes" not in session
        and "Authorization" not in request.headers
    )


def _same(remembered: tuple[object, ...], views: Sequence[object]) -> bool:
    return len(remembered) == len(views) and all(
        a is b for a, b in zip(remembered, views, strict=True)
    )
