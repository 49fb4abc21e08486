"""The lean dispatch of a records page: the commonest API read without Flask's machinery.

A page of rows (``GET /api/v1/datasets/<name>/resources/<id>/records``) spent about as long
in Flask (request context, session, URL matching, before/after hooks, the ``Response``
object) as in reading its rows. ``LeanRecords`` sits in front of Flask's WSGI application
and answers the plain case itself: an anonymous ``GET`` (no cookie, no ``Authorization``, no
CKAN key) of a JSON page of rows of a dataset at the ``public`` level, with no conditional
or range header, no body, and none of ``_format``, ``_facet``, ``_facet_size``, ``_bbox`` or
the aggregate parameters. It runs the same code as the Flask view (``records_query``,
``published_table``, ``public_table``, the datastore's ``search``, ``page_body``,
``plain_json``) and the same checks: the anonymous rate limit (counted here once; Flask
reads the verdict when the request goes on to it), usage counting, CORS, the ETag, gzip, the
security headers and ``Vary: Cookie`` (the Flask path reads the session). Its bytes and
headers are the Flask path's (``tests/app/api/test_records_lean.py`` compares them).

Everything else goes to Flask unchanged: other requests, and any page whose answer is not a
200 (not found, another access level, a bad parameter, over the rate limit, an error), which
Flask answers with its error shapes and translations.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from flask import Flask
from werkzeug.http import generate_etag, http_date

from app.api import records_query
from app.api.ratelimits import COUNTED_VERDICT
from app.api.records import next_page_url, page_body, public_table, published_table
from app.cors_gzip import GZIP_MIN_BYTES, allowed_origin, gzip_bytes
from app.fast_json import plain_json
from app.headers import EVERY_RESPONSE, HSTS
from datasets.public_cache import BoundedCache
from datasets.usage import Metric, Subject
from publishers import ANONYMOUS

if TYPE_CHECKING:
    from app.services import Services

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

_SLUG = r"[a-z0-9][a-z0-9_-]*"  # ``app.web.SlugConverter``
PATH = re.compile(rf"/api/v1/datasets/({_SLUG})/resources/({_SLUG})/records")
# Request headers (as WSGI keys) that send a request to Flask: a caller who may be signed in
# or hold a token, a conditional or ranged GET, a body.
FLASK_HEADERS = (
    "HTTP_COOKIE",
    "HTTP_AUTHORIZATION",
    "HTTP_X_CKAN_API_KEY",
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_UNMODIFIED_SINCE",
    "HTTP_IF_RANGE",
    "HTTP_RANGE",
    "HTTP_TRANSFER_ENCODING",
)
# Parameters only the Flask view answers.
FLASK_PARAMS = frozenset(
    {"_format", "_facet", "_facet_size", "_bbox"} | records_query.AGGREGATE_PARAMS
)
# The environ key that sends a request to Flask whatever it is (the tests compare both).
FLASK_ONLY = "opendata.flask_only"


class LeanRecords:
    """WSGI middleware: plain records pages here, everything else to ``flask_app``."""

    def __init__(self, app: Flask, flask_app: WsgiApp) -> None:
        self._app = app
        self._flask = flask_app
        self._services: Services = app.extensions["opendata"]
        # Links to each table's records route, per host the request named (``url_for``'s).
        self._routes: BoundedCache[tuple[Any, ...], str] = BoundedCache(1024)

    def _active(self) -> bool:
        """Whether the Flask path answers as this one does (its configuration may change
        after the app is built, as tests do)."""
        app = self._app
        provider = app.json
        return (
            not app.debug
            and app.config.get("SERVER_NAME") is None
            and app.config.get("TRUSTED_HOSTS") is None
            and not app.url_map.host_matching
            and getattr(provider, "compact", None) is not False
            and getattr(provider, "sort_keys", True) is True
        )

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") == "GET":
            found = PATH.fullmatch(environ.get("PATH_INFO", ""))
            if found is not None and self._plain(environ) and self._active():
                try:
                    answer = self._answer(environ, found[1], found[2])
                except Exception:  # answered by Flask, in its shape (404, 400, 500...)
                    answer = None
                if answer is not None:
                    headers, body = answer
                    start_response("200 OK", headers)
                    return [body]
        return self._flask(environ, start_response)

    @staticmethod
    def _plain(environ: dict[str, Any]) -> bool:
        return (
            not environ.get(FLASK_ONLY)
            and environ.get("CONTENT_LENGTH") in (None, "", "0")
            and not any(key in environ for key in FLASK_HEADERS)
        )

    def _answer(
        self, environ: dict[str, Any], name: str, resource_id: str
    ) -> tuple[list[tuple[str, str]], bytes] | None:
        """The headers and body of the page, or None: Flask answers."""
        request = self._app.request_class(environ)
        args = request.args
        if any(key in args for key in FLASK_PARAMS):
            return None
        svc = self._services
        verdict = None
        if not svc.rate_limits.disabled:
            verdict = svc.rate_limits.check(None, request.remote_addr or "unknown")
            environ[COUNTED_VERDICT] = verdict
            if not verdict.allowed:
                return None
        table = public_table(svc, ANONYMOUS, published_table(svc, name, resource_id), resource_id)
        if table is None:  # another access level: ``open_table`` decides
            return None
        query = records_query.query_from_args(args)
        result = table.store.search(resource_id, query)
        next_url = None
        if result.next_cursor:
            route = self._route(request, name, resource_id)
            next_url = next_page_url(route, args, result.next_cursor)
        body = page_body(table, result.fields, result.records, result.total, next_url)
        data = plain_json(body, finite=True)
        if data is None:
            return None
        svc.usage.record(Subject.DATASET, table.dataset_id, Metric.API_CALLS)
        return self._headers(environ, data, verdict)

    def _route(self, request: Any, name: str, resource_id: str) -> str:
        """``url_for("api.records", name=..., resource_id=..., _external=True)``."""
        environ = request.environ
        key = (
            environ.get("HTTP_HOST"),
            environ.get("SERVER_NAME"),
            environ.get("SERVER_PORT"),
            environ.get("wsgi.url_scheme"),
            environ.get("SCRIPT_NAME"),
            name,
            resource_id,
        )
        found = self._routes.get(key)
        if found is None:
            adapter = self._app.create_url_adapter(request)
            assert adapter is not None  # a request always has one
            values = {"name": name, "resource_id": resource_id}
            found = adapter.build("api.records", values, force_external=True)
            self._routes.put(key, found)
        return found

    def _headers(
        self, environ: dict[str, Any], data: bytes, verdict: Any
    ) -> tuple[list[tuple[str, str]], bytes]:
        """The Flask path's headers, in its order (``_finish``, the rate-limit and security
        headers, then the session's ``Vary``)."""
        settings = self._services.settings
        headers = [("Content-Type", "application/json"), ("Content-Length", "")]
        vary = []
        origin = allowed_origin(settings.cors_origins, environ.get("HTTP_ORIGIN", ""))
        if origin is not None:
            headers.append(("Access-Control-Allow-Origin", origin))
            if origin != "*":
                vary.append("Origin")
                headers.append(("Vary", ""))
            headers.append(("Access-Control-Expose-Headers", "ETag, Retry-After, Link"))
        etag = generate_etag(data)
        headers += [("ETag", f'"{etag}"'), ("Date", http_date())]
        if (
            len(data) >= GZIP_MIN_BYTES
            and "gzip" in environ.get("HTTP_ACCEPT_ENCODING", "").lower()
        ):
            data = gzip_bytes(data)
            headers = [("ETag", f'W/"{etag}"') if k == "ETag" else (k, v) for k, v in headers]
            headers.append(("Content-Encoding", "gzip"))
            vary.append("Accept-Encoding")
            if len(vary) == 1:
                headers.append(("Vary", ""))
        if verdict is not None and verdict.limit:
            headers.append(("X-RateLimit-Limit", str(verdict.limit)))
            headers.append(("X-RateLimit-Remaining", str(verdict.remaining)))
        headers += EVERY_RESPONSE
        if settings.site_url.startswith("https://"):
            headers.append(("Strict-Transport-Security", HSTS))
        vary.append("Cookie")
        if len(vary) == 1:
            headers.append(("Vary", ""))
        finished = []
        for key, value in headers:
            if key == "Content-Length":
                value = str(len(data))
            elif key == "Vary":
                value = ", ".join(vary)
            finished.append((key, value))
        return finished, data
