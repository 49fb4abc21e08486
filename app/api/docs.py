"""The OpenAPI document and a readable reference page rendered from it (no CDN)."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from app.api import bp
from app.api.openapi import openapi_document


def _document() -> dict[str, Any]:
    return openapi_document(url_for("api.search_datasets", _external=True).rsplit("/", 1)[0])


@bp.get("/openapi.json")
def openapi_json() -> ResponseReturnValue:
    # In the order it is written, not sorted: an operation's main answer comes first among
    # its media types (``application/json`` before ``application/geo+json``, ``text/csv``…),
    # the one client generators such as openapi-python-client type their results with.
    body = json.dumps(_document(), ensure_ascii=False)
    return Response(body, mimetype="application/json")


def _words(text: str) -> str:
    """An English text of the document in the reader's language (marked with ``N_``)."""
    return str(gettext(text)) if text else text


def _operations(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The operations as the reference page lists them, their texts in the reader's language."""
    operations = []
    for path, methods in doc["paths"].items():
        for method, op in methods.items():
            body = op.get("requestBody", {}).get("content", {})
            operations.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": _words(op["summary"]),
                    "auth": op.get("security") == [{"bearer": []}],
                    "parameters": [
                        {**p, "description": _words(p.get("description", ""))}
                        for p in op.get("parameters", [])
                    ],
                    "body": [
                        (media, _schema_name(spec.get("schema", {})))
                        for media, spec in body.items()
                    ],
                    "responses": [
                        (code, _words(r.get("description", "")), _response_schema(r))
                        for code, r in op["responses"].items()
                    ],
                }
            )
    return operations


def _schema_name(schema: dict[str, Any]) -> str:
    ref = schema.get("$ref", "")
    return ref.rsplit("/", 1)[-1] if ref else str(schema.get("type", "object"))


def _response_schema(response: dict[str, Any]) -> str:
    content = response.get("content", {})
    json_schema = content.get("application/json", {}).get("schema")
    return _schema_name(json_schema) if json_schema else ""


@bp.get("/docs")
def docs_page() -> ResponseReturnValue:
    doc = _document()
    return render_template(
        "api/docs.html",
        doc=doc,
        operations=_operations(doc),
        schemas=doc["components"]["schemas"],
    )
