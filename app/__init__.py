"""The Flask application: factory, composition of services, blueprints."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from flask import Blueprint, Flask

if TYPE_CHECKING:
    from app.config import Settings
    from app.services import Services


def create_app(settings: Settings | None = None, services: Services | None = None) -> Flask:
    """Create the web application on ``settings`` (default: loaded from the environment)."""
    from app.config import load_settings
    from app.services import build_services

    settings = settings or load_settings()
    services = services or build_services(settings)
    app = Flask(__name__)
    from app.url_rules import LazyBuildRule

    app.url_rule_class = LazyBuildRule  # the blueprints' rules compile their builders on use
    app.config.update(
        SECRET_KEY=services.keys.secret_key,
        MAX_CONTENT_LENGTH=settings.max_upload_bytes + 1024 * 1024,  # form fields on top
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.site_url.startswith("https://"),
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SECURE=settings.site_url.startswith("https://"),
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_DURATION=timedelta(hours=settings.session_max_hours),
        PERMANENT_SESSION_LIFETIME=timedelta(hours=settings.session_max_hours),
        WTF_CSRF_TIME_LIMIT=None,
        TESTING=settings.testing,
        JSON_SORT_KEYS=False,
    )
    app.extensions["opendata"] = services
    from app.web import SlugConverter

    app.url_map.converters["slug"] = SlugConverter
    logging.basicConfig(level=settings.log_level.upper())

    from app import api, ckan_api, errors, headers, i18n, security, throttles
    from app.api import ratelimits

    i18n.init_app(app)
    security.init_app(app)
    # Plain records pages skip Flask's machinery (inside ProxyFix: it sees the client).
    from app.api.records_lean import LeanRecords

    app.wsgi_app = LeanRecords(app, app.wsgi_app)  # type: ignore[method-assign]  # Flask's documented middleware hook
    headers.init_app(app, settings)
    errors.init_app(app)
    for blueprint in blueprints():
        app.register_blueprint(blueprint)
    # The two APIs take tokens, not CSRF tokens; both are rate limited, and the sign-in
    # and mail throttles count in the same store.
    for token_api in (api.bp, ckan_api.bp):
        security.csrf.exempt(token_api)
    ratelimits.init_app(app, services.rate_limits)
    throttles.init_app(app, settings, services.rate_limits.storage)
    return app


def blueprints() -> tuple[Blueprint, ...]:
    """Every blueprint of the portal, in registration order (each module adds its routes
    to its blueprint when it is imported)."""
    from app import api, ckan_api
    from app.web import (  # noqa: F401  (public_dataset, public_feeds: routes on public.bp)
        account,
        admin,
        admin_harvest,
        auth,
        bulk_page,
        catalog,
        data_requests,
        downloads,
        follows,
        manage,
        orgadmin,
        places,
        public,
        public_dataset,
        public_feeds,
        reports,
        resources,
        sharing,
        site_pages,
        sso,
    )

    return (
        public.bp,
        auth.bp,
        manage.bp,
        downloads.bp,
        catalog.bp,
        site_pages.bp,  # accounts (issue 5): site pages, administration, sign-in by SSO
        admin.bp,
        orgadmin.bp,
        account.bp,
        sso.bp,
        resources.bp,
        reports.bp,
        api.routes(),
        ckan_api.bp,
        admin_harvest.bp,  # harvest sources (issue 9)
        sharing.bp,  # shared data (issue 18): access requests, grants, the access log
        data_requests.bp,  # requests for datasets the portal lacks (issue 21)
        follows.bp,  # following datasets (issue 21)
        places.bp,  # administrative units at their stable URIs (issue 22)
    )
