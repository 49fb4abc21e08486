"""REST routes of webhooks (issue 23): a token's subscriptions and their delivery log.

Every route needs an API token (``read`` is enough: a subscription changes nothing in the
catalog); a subscription belongs to the token that created it and to its user, who sees
and deletes it through any of their tokens or on the account page. The signing secret is
in the answer of the creation only.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask.typing import ResponseReturnValue

from app.api import bp
from app.api.datasets import int_arg, list_json
from app.api.responses import caller, json_body
from app.api.shapes import rfc3339
from app.api_auth import ApiCaller
from app.context import services
from datasets.webhooks import DeliveryView, WebhookView
from publishers import InvalidInput, Unauthenticated


def _token_caller() -> ApiCaller:
    who = caller()
    if who.token_id is None or who.actor.user_id is None:
        raise Unauthenticated("token required")
    return who


def webhook_json(view: WebhookView) -> dict[str, Any]:
    """The JSON shape of a subscription (never its secret)."""
    return {
        "id": view.id,
        "url": view.url,
        "dataset": view.target if view.target_kind == "dataset" else None,
        "organization": view.target if view.target_kind == "organization" else None,
        "events": list(view.events),
        "active": view.active,
        "failures": view.failures,
        "disabled": rfc3339(view.disabled),
        "created": rfc3339(view.created),
        "token": view.token_prefix,
        "token_active": view.token_live,
    }


def delivery_json(view: DeliveryView) -> dict[str, Any]:
    """The JSON shape of one logged attempt."""
    return {
        "delivery_id": view.delivery_id,
        "event": view.event,
        "dataset": view.dataset_name,
        "attempt": view.attempt,
        "time": rfc3339(view.created),
        "status": view.status,
        "response_code": view.response_code,
        "error": view.error or None,
        "excerpt": view.excerpt,
        "duration_ms": view.duration_ms,
        "next_attempt": rfc3339(view.next_attempt),
    }


def _text(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidInput("text expected", {name: ["invalid"]})
    return value


@bp.get("/webhooks")
def list_webhooks() -> ResponseReturnValue:
    who = _token_caller()
    items = [webhook_json(v) for v in services().webhooks.list_for(str(who.actor.user_id))]
    return list_json(items, len(items), None)


@bp.post("/webhooks")
def create_webhook() -> ResponseReturnValue:
    who = _token_caller()
    body = json_body()
    events = body.get("events")
    if events is not None and (
        not isinstance(events, list) or not all(isinstance(e, str) for e in events)
    ):
        raise InvalidInput("events must be a list", {"events": ["unknown_event"]})
    created = services().webhooks.create(
        str(who.actor.user_id),
        str(who.token_id),
        _text(body, "url"),
        dataset=_text(body, "dataset"),
        organization=_text(body, "organization"),
        events=events,
    )
    services().audit.record(
        who.actor.user_id, "webhook.create", f"webhook:{created.webhook.id}", details={}
    )
    answer = jsonify({**webhook_json(created.webhook), "secret": created.secret})
    answer.status_code = 201
    answer.headers["Cache-Control"] = "no-store"
    return answer


@bp.get("/webhooks/<slug:webhook_id>")
def get_webhook(webhook_id: str) -> ResponseReturnValue:
    who = _token_caller()
    return jsonify(webhook_json(services().webhooks.get(str(who.actor.user_id), webhook_id)))


@bp.delete("/webhooks/<slug:webhook_id>")
def delete_webhook(webhook_id: str) -> ResponseReturnValue:
    who = _token_caller()
    services().webhooks.delete(str(who.actor.user_id), webhook_id)
    services().audit.record(who.actor.user_id, "webhook.delete", f"webhook:{webhook_id}")
    return "", 204


@bp.get("/webhooks/<slug:webhook_id>/deliveries")
def list_webhook_deliveries(webhook_id: str) -> ResponseReturnValue:
    who = _token_caller()
    limit = int_arg("limit", 50, 1, 500)
    views = services().webhooks.deliveries(str(who.actor.user_id), webhook_id, limit)
    items = [delivery_json(v) for v in views]
    return list_json(items, len(items), None)
