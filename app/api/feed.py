"""REST routes of the change feed and of organizations."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from typing import Any

from flask import jsonify, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import and_, or_, select

from app.api import bp
from app.api.datasets import int_arg, list_json
from app.api.responses import BadParameter, caller
from app.api.shapes import organization_json, rfc3339
from app.context import services
from datasets.model import Activity, Dataset
from publishers import NotFound

FEED_ACTIONS = ("approve", "withdraw")


def parse_rfc3339(raw: str, name: str) -> datetime:
    """Parse an RFC 3339 timestamp (naive values are UTC); raise ``BadParameter``."""
    try:
        moment = datetime.fromisoformat(raw.strip().replace("z", "Z"))
    except ValueError:
        raise BadParameter(f"{name} must be an RFC 3339 timestamp") from None
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _cursor(raw: str) -> tuple[datetime, str]:
    try:
        moment, _, last_id = (
            base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode().partition("|")
        )
        return parse_rfc3339(moment, "cursor"), last_id
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadParameter("malformed cursor") from None


def _change(activity: Activity, dataset: Dataset) -> dict[str, Any]:
    if activity.action == "withdraw":
        change = "withdrawn"
    else:
        change = "updated" if activity.from_state == "published" else "published"
    return {
        "dataset_id": dataset.id,
        "dataset_name": dataset.name,
        "change": change,
        "timestamp": rfc3339(activity.created),
        "url": url_for("api.read_dataset", name=dataset.name, _external=True),
    }


@bp.get("/changes")
def changes() -> ResponseReturnValue:
    """Publications, updates and withdrawals of public datasets since a moment (oldest first).

    Built from activity rows of approvals and withdrawals only, so nothing about drafts,
    uploads, reviews or comments appears.
    """
    caller()
    return _feed(None)


@bp.get("/datasets/<slug:name>/changes")
def dataset_changes(name: str) -> ResponseReturnValue:
    """The change feed of one dataset (the same items, ``since``, ``cursor`` and ``limit``).

    A dataset that was never published has no feed (404, as for a name never used).
    """
    caller()
    with services().sessions() as session:
        dataset = session.scalars(
            select(Dataset).where(or_(Dataset.name == name, Dataset.id == name))
        ).first()
        if dataset is None or dataset.published is None:
            raise NotFound("dataset not found")
        return _feed(dataset)


def _feed(dataset: Dataset | None) -> ResponseReturnValue:
    limit = int_arg("limit", 100, 1, 1000)
    query = (
        select(Activity, Dataset)
        .join(Dataset, Dataset.id == Activity.dataset_id)
        .where(Activity.action.in_(FEED_ACTIONS), Dataset.published.is_not(None))
    )
    if dataset is not None:
        query = query.where(Activity.dataset_id == dataset.id)
    if raw := request.args.get("cursor"):
        moment, last_id = _cursor(raw)
        query = query.where(
            or_(Activity.created > moment, and_(Activity.created == moment, Activity.id > last_id))
        )
    elif raw := request.args.get("since"):
        query = query.where(Activity.created >= parse_rfc3339(raw, "since"))
    with services().sessions() as session:
        rows = session.execute(query.order_by(Activity.created, Activity.id).limit(limit + 1)).all()
        items = [_change(a, d) for a, d in rows[:limit]]
        next_url = None
        if len(rows) > limit:
            last = rows[limit - 1][0]
            token = f"{last.created.isoformat()}|{last.id}".encode()
            cursor = base64.urlsafe_b64encode(token).decode().rstrip("=")
            if dataset is None:
                next_url = url_for("api.changes", cursor=cursor, limit=limit, _external=True)
            else:
                next_url = url_for(
                    "api.dataset_changes",
                    name=dataset.name,
                    cursor=cursor,
                    limit=limit,
                    _external=True,
                )
    return jsonify({"items": items, "total": len(items), "next": next_url})


@bp.get("/organizations")
def list_organizations() -> ResponseReturnValue:
    caller()
    page = int_arg("page", 1, 1, 1000)
    size = int_arg("page_size", 100, 1, 1000)
    orgs = services().catalog.organizations()
    chunk = orgs[(page - 1) * size : page * size]
    more = page * size < len(orgs)
    next_url = url_for("api.list_organizations", page=page + 1, page_size=size, _external=True)
    return list_json(
        [organization_json(o, n) for o, n in chunk], len(orgs), next_url if more else None
    )


@bp.get("/organizations/<slug:name>")
def show_organization(name: str) -> ResponseReturnValue:
    caller()
    found = next(
        ((o, n) for o, n in services().catalog.organizations() if name in (o.name, o.id)), None
    )
    if found is None:
        raise NotFound("organization not found")
    return jsonify(organization_json(*found))
