"""Security headers on every response, and the trusted reverse proxies.

HTML pages get a Content-Security-Policy that allows scripts, styles, fonts and images
from the portal itself only (no inline script or handler: ``app/static/*.js`` holds them)
and forbids framing (``frame-ancestors 'none'``: the review and admin buttons cannot be
clickjacked). Every response gets ``X-Content-Type-Options: nosniff`` and a
``Referrer-Policy``; HSTS is sent when ``OPENDATA_SITE_URL`` is https.

Behind ``OPENDATA_TRUSTED_PROXIES`` reverse proxies (0: none, the default), werkzeug's
``ProxyFix`` takes the client address and scheme from that many ``X-Forwarded-For`` /
``X-Forwarded-Proto`` hops, so rate limits, throttles, report limits and the audit log
see the real client. Without a proxy the headers are ignored (anyone can send them).
"""

from __future__ import annotations

from flask import Flask, Response
from werkzeug.middleware.proxy_fix import ProxyFix

from app.config import Settings

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
    )
)
HSTS = "max-age=31536000; includeSubDomains"
# On every response (``init_app``), in this order, then HSTS on an https site.
EVERY_RESPONSE = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
)


def init_app(app: Flask, settings: Settings) -> None:
    """Add the headers to every response; believe the configured proxies."""
    https = settings.site_url.startswith("https://")
    if settings.trusted_proxies:
        hops = settings.trusted_proxies
        # Wrapping wsgi_app is Flask's documented way to add middleware; mypy sees a method.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]

    @app.after_request
    def _security_headers(response: Response) -> Response:
        headers = response.headers
        for name, value in EVERY_RESPONSE:
            headers.setdefault(name, value)
        if response.mimetype == "text/html":
            headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
            headers.setdefault("X-Frame-Options", "DENY")
        if https:
            headers.setdefault("Strict-Transport-Security", HSTS)
        return response
