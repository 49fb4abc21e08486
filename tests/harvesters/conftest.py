"""Fixtures for harvest tests: a portal that may reach 127.0.0.1, and a CKAN-shaped source."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.factories import make_org
from tests.servers import Recorded, ReplayServer


@pytest.fixture
def hsettings(settings):
    """Test settings allow-listing 127.0.0.1 explicitly for the local source servers."""
    return settings.with_overrides(
        harvest_allowed_hosts="127.0.0.1", harvest_sql_paths=str(settings.data_dir.parent)
    )


@pytest.fixture
def hservices(hsettings) -> Iterator[Any]:
    from app.services import build_services

    svc = build_services(hsettings)
    yield svc
    svc.engine.dispose()


@pytest.fixture
def org(hservices):
    return make_org(hservices, "so-nguon")


def package(
    n: int,
    csv_url: str,
    *,
    modified: str = "2026-01-01T00:00:00",
    tags: tuple[str, ...] = ("approved",),
    org: str = "agency",
    extras: dict[str, str] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """A CKAN package dict shaped like the real ones in ../shared/conformance/ckan-api."""
    return {
        "id": f"00000000-0000-0000-0000-{n:012d}",
        "name": f"bo-du-lieu-{n}",
        "title": f"Bộ dữ liệu {n}",
        "notes": f"Mô tả bộ dữ liệu {n}.",
        "license_id": "cc-by",
        "metadata_modified": modified,
        "state": "active",
        "organization": {"name": org, "title": org.title()},
        "tags": [{"name": t} for t in tags],
        "extras": [{"key": k, "value": v} for k, v in (extras or {}).items()],
        "resources": [{"id": f"res-{n}", "name": f"Bảng {n}", "format": "CSV", "url": csv_url}],
        **fields,
    }


def search_page(packages: list[dict[str, Any]]) -> Recorded:
    """A package_search envelope holding every package (one page)."""
    return ReplayServer.json(
        {
            "help": "http://127.0.0.1/api/3/action/help_show?name=package_search",
            "success": True,
            "result": {"count": len(packages), "results": packages, "facets": {}},
        }
    )


def csv_route(text: str) -> Recorded:
    return Recorded(200, text.encode(), {"Content-Type": "text/csv"})


def register(svc: Any, name: str, kind: str, url: str, org: Any, config: Any = None) -> Any:
    """Register a source through the domain call the CLI uses."""
    assert svc.harvester is not None
    return svc.harvester.sources.register(name, kind, url, org.name, json.dumps(config or {}))
