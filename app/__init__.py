"""The Flask application: factory, composition of services, blueprints."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from flask import Flask

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

    from app import errors, headers, i18n, security
    from app.web import auth, catalog, downloads, manage, public

    i18n.init_app(app)
    security.init_app(app)
    headers.init_app(app, settings)
    errors.init_app(app)
    for blueprint in (public.bp, auth.bp, manage.bp, downloads.bp, catalog.bp):
        app.register_blueprint(blueprint)
    from app.web import account, admin, orgadmin, site_pages, sso  # accounts (issue 5)

    for blueprint in (site_pages.bp, admin.bp, orgadmin.bp, account.bp, sso.bp):
        app.register_blueprint(blueprint)
    from app.web import reports, resources

    for blueprint in (resources.bp, reports.bp):
        app.register_blueprint(blueprint)
    from app import api

    api.init_app(app)
    from app import throttles

    throttles.init_app(app, settings)  # on the API's rate-limit store
    from app import ckan_api

    app.register_blueprint(ckan_api.bp)
    security.csrf.exempt(ckan_api.bp)
    from app.web import admin_harvest

    app.register_blueprint(admin_harvest.bp)  # harvest sources (issue 9)
    return app
