"""Every operation of /api/v1/openapi.json has an operationId, tags and examples that hold."""

from __future__ import annotations

from typing import Any

import requests
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests.app.api.conftest import Team

METHODS = ("get", "put", "post", "delete", "patch")
DOC_URI = "urn:opendata:openapi"


def _operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, op)
        for path, item in doc["paths"].items()
        for method, op in item.items()
        if method in METHODS
    ]


def _validator(doc: dict[str, Any], schema: dict[str, Any]) -> Draft202012Validator:
    """A validator of ``schema`` whose ``#/components/...`` references resolve in ``doc``."""
    registry: Registry[Any] = Registry().with_resource(
        DOC_URI, Resource.from_contents(doc, default_specification=DRAFT202012)
    )
    rooted = {"$ref": DOC_URI + schema["$ref"]} if "$ref" in schema else schema
    return Draft202012Validator(rooted, registry=registry)


def _examples(op: dict[str, Any]) -> list[tuple[str, dict[str, Any], Any]]:
    """(where, schema, example) of each JSON example of an operation."""
    found = []
    body = op.get("requestBody", {}).get("content", {})
    for media_type, media in body.items():
        if "example" in media:
            found.append((f"request {media_type}", media["schema"], media["example"]))
    for status, response in op["responses"].items():
        for media_type, media in response.get("content", {}).items():
            if "example" in media:
                found.append((f"{status} {media_type}", media["schema"], media["example"]))
    return found


def test_every_operation_has_an_id_tags_and_valid_examples(live_server) -> None:
    doc = requests.get(f"{live_server.url}/api/v1/openapi.json", timeout=30).json()
    validate(doc)  # openapi-spec-validator: a valid OpenAPI 3.1 document
    declared = {tag["name"] for tag in doc["tags"]}
    ids = []
    for path, method, op in _operations(doc):
        where = f"{method.upper()} {path}"
        assert op.get("operationId"), where
        ids.append(op["operationId"])
        assert op.get("tags") and set(op["tags"]) <= declared, where
        examples = _examples(op)
        assert examples, f"{where} has no example"
        for place, schema, example in examples:
            errors = list(_validator(doc, schema).iter_errors(example))
            assert not errors, (where, place, [e.message for e in errors])
        # the successful JSON answer (and JSON request body) is illustrated, not only errors
        for status, response in op["responses"].items():
            media = response.get("content", {}).get("application/json")
            if status.startswith("2") and media is not None:
                assert "example" in media, f"{where} {status}"
        body = op.get("requestBody", {}).get("content", {}).get("application/json")
        if body is not None:
            assert "example" in body, f"{where} request body"
        for parameter in op.get("parameters", []):
            if parameter["in"] == "path":
                assert "example" in parameter, (where, parameter["name"])
    assert len(ids) == len(set(ids)) == len(_operations(doc))
    assert len(declared) == len(doc["tags"])  # no tag declared twice
    assert declared == {tag for _p, _m, op in _operations(doc) for tag in op["tags"]}


def test_428_is_documented_exactly_where_it_is_answered(live_server, team: Team) -> None:
    doc = requests.get(f"{live_server.url}/api/v1/openapi.json", timeout=30).json()
    documented = {(m, p) for p, m, op in _operations(doc) if "428" in op["responses"]}
    assert documented == {("patch", "/datasets/{name}")}
    response = doc["paths"]["/datasets/{name}"]["patch"]["responses"]["428"]
    assert "If-Match" in response["description"]
    example = response["content"]["application/json"]["example"]

    base = f"{live_server.url}/api/v1"
    name = _create(base, team)
    answer = requests.patch(
        f"{base}/datasets/{name}",
        json={"title": "Tên mới"},
        headers={**team.publisher, "Accept-Language": "en", "Cookie": "lang=en"},
        timeout=30,
    )
    assert answer.status_code == 428
    assert answer.json() == example  # the documented answer, word for word
    # with the ETag the same edit goes through
    etag = requests.get(f"{base}/datasets/{name}", headers=team.publisher, timeout=30).headers
    edited = requests.patch(
        f"{base}/datasets/{name}",
        json={"title": "Tên mới"},
        headers={**team.publisher, "If-Match": etag["ETag"]},
        timeout=30,
    )
    assert edited.status_code == 200 and edited.json()["title"] == "Tên mới"


def _create(base: str, team: Team) -> str:
    created = requests.post(
        f"{base}/datasets",
        json={"organization": team.org.name, "title": "Danh sách hộ dân phường"},
        headers=team.publisher,
        timeout=30,
    )
    assert created.status_code == 201, created.text
    return str(created.json()["name"])
