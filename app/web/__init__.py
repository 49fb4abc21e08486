"""Blueprints: public pages, sign-in, publishing, downloads, catalog metadata."""

from __future__ import annotations

from werkzeug.routing import BaseConverter


class SlugConverter(BaseConverter):
    """A dataset or organization name (or a UUID): lowercase ASCII and dashes."""

    regex = r"[a-z0-9][a-z0-9_-]*"
