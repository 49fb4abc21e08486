"""Our CKAN dicts against the lenient JSON Schemas of real CKAN responses (conformance)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from jsonschema import Draft7Validator
from referencing import Registry, Resource

from app.ckan_api.dicts import ckan_state, iso
from tests.app.ckan_api.conftest import CkanPortal
from tests.conftest import conformance_dir

BASE = "http://github.com/alphagov/ckan-functional-tests/api/"


def _validator(name: str) -> Draft7Validator:
    folder = conformance_dir() / "ckan-api" / "alphagov-ckan-functional-tests" / "schemas"
    registry: Registry[Any] = Registry()
    for path in folder.glob("*.schema.json"):
        contents = json.loads(path.read_text())
        if path.name == "common.schema.json":
            # data.gov.uk forbids the keys author, author_email, maintainer and
            # maintainer_email (``nonPIIKey``); stock CKAN always returns them and clients
            # index into them (issue 17), so everything else of the schemas is checked and
            # these keys are compared with a recorded stock CKAN answer below.
            contents["definitions"]["nonPIIKey"] = {"type": "string"}
        resource = Resource.from_contents(contents)
        stem = path.name.removesuffix(".schema.json")
        registry = registry.with_resources(
            [(f"{BASE}{stem}", resource), (f"{BASE}{path.name}", resource)]
        )
    schema = json.loads((folder / f"{name}.schema.json").read_text())
    # Formats are annotations, as when the schemas were checked against real CKAN responses
    # (whose timestamps are naive, like ours).
    return Draft7Validator(schema, registry=registry)


def _errors(name: str, body: dict[str, Any]) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in _validator(name).iter_errors(body)]


def test_package_show_search_and_organization_show_match_ckan_schemas(portal: CkanPortal) -> None:
    url = portal.server.url
    shown = requests.get(
        f"{url}/api/3/action/package_show", params={"id": portal.dataset.name}, timeout=10
    ).json()
    assert _errors("package_show", shown) == []
    searched = requests.get(
        f"{url}/api/3/action/package_search", params={"q": "xe buyt"}, timeout=10
    ).json()
    assert searched["result"]["count"] == 1
    assert _errors("package_search", searched) == []
    org = shown["result"]["organization"]["name"]
    organization = requests.get(
        f"{url}/api/3/action/organization_show",
        params={"id": org, "include_datasets": "true"},
        timeout=10,
    ).json()
    assert organization["result"]["packages"][0]["name"] == portal.dataset.name
    assert _errors("organization_show", organization) == []
    listed = requests.get(f"{url}/api/3/action/package_list", timeout=10).json()
    assert _errors("package_list", listed) == []


def _recorded(name: str) -> dict[str, Any]:
    folder = conformance_dir() / "ckan-api" / "frictionless-py-cassettes"
    result: dict[str, Any] = json.loads((folder / name).read_text())["result"]
    return result


def test_package_dict_has_every_key_of_stock_ckan_package_show(portal: CkanPortal) -> None:
    shown = portal.anonymous.action.package_show(id=portal.dataset.name)
    stock = _recorded("package_show.legado-dados-gov-br.bolsa-familia-pagamentos.json")
    assert set(stock) - set(shown) == set()
    assert set(stock["resources"][0]) - set(shown["resources"][0]) == set()
    other = _recorded("package_show.demo-ckan-org.frictionless.json")
    assert set(other) - set(shown) == set()
    # no personal data: the portal has no author or maintainer, the keys are empty
    assert [shown[k] for k in ("author", "author_email", "maintainer", "maintainer_email")] == [
        None
    ] * 4
    assert (shown["url"], shown["version"]) == ("", None)
    assert shown["revision_id"] and shown["resources"][0]["revision_id"] == shown["revision_id"]
    # a member's draft dict has them too
    draft = portal.as_publisher.action.package_show(id=portal.dataset.name)
    assert set(stock) - set(draft) == set()


def test_schema_check_can_fail() -> None:
    broken = {
        "help": "http://x/api/3/action/help_show?name=package_show",
        "success": True,
        "result": {"id": 1},
    }
    assert _errors("package_show", broken)


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("published", "active"),
        ("withdrawn", "deleted"),
        ("draft", "draft"),
        ("submitted", "draft"),
        ("rejected", "draft"),
    ],
)
def test_ckan_state_of_each_lifecycle_state(state: str, expected: str) -> None:
    assert ckan_state(state) == expected


def test_timestamps_are_naive_utc() -> None:
    from datetime import datetime, timedelta, timezone

    moment = datetime(2025, 3, 1, 15, 30, tzinfo=timezone(timedelta(hours=7)))
    assert iso(moment) == "2025-03-01T08:30:00"
