"""The permission matrix over both APIs: role × operation × own/other organization.

Every role of world.py calls every operation the REST API (SPEC §4) and the CKAN Action API
offer on organization A, with an API token (read-write here; read-only tokens below). An
allowed call must answer its success status and take effect; a refused one must answer the
exact status and error, change nothing (database, vault, staging, audit log: the world's
fingerprint), and, when the caller may not see the target, read exactly like the answer for
a dataset that does not exist. A few cells run through the real ``ckanapi`` client against
a live server.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import ckanapi
import pytest

from datasets.model import Dataset
from datasets.queries import find_dataset
from publishers import Scope
from tests.app.accounts.world import (
    EXPECTED,
    PII_CSV,
    READS,
    ROLES,
    World,
    build_world,
    refusal,
)
from tests.factories import SAMPLE_CSV

MISSING = "khong-co-du-lieu-nay"  # a dataset name that was never used
MISSING_RESOURCE = "00000000-0000-4000-8000-000000000000"


@dataclass
class Call:
    """One API call on a target of organization A, and how to judge its outcome."""

    method: str
    path: str
    body: Callable[[], dict[str, Any]] = dict  # a fresh body per call (files are consumed)
    took_effect: Callable[[dict[str, Any]], bool] = lambda _answer: True
    secrets: tuple[str, ...] = ()  # what only readers may learn: names, ids, titles
    # The same call on something that does not exist: (path, body) or None.
    missing: tuple[str, Callable[[], dict[str, Any]]] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _state(world: World, name: str) -> str:
    with world.services.sessions() as session:
        dataset = find_dataset(session, name)
        return dataset.state if dataset else "gone"


def _working(world: World, name: str) -> Any:
    with world.services.sessions() as session:
        dataset = find_dataset(session, name)
        assert dataset is not None
        revision = dataset.working_revision or dataset.live_revision
        assert revision is not None
        return {
            "title": revision.title_vi,
            "entries": [(e.resource_id, e.version_id) for e in revision.entries],
            "decisions": {
                d["column"]: d["action"]
                for e in revision.entries
                for d in (e.version.decisions or [])
            },
        }


def _secrets(world: World, dataset: Dataset) -> tuple[str, ...]:
    return (dataset.name, dataset.id, _working(world, dataset.name)["title"])


def _first_resource(world: World, dataset: Dataset) -> str:
    return str(_working(world, dataset.name)["entries"][0][0])


def _file(name: str = "them.csv", data: bytes = SAMPLE_CSV) -> Callable[[], dict[str, Any]]:
    return lambda: {
        "data": {"file": (io.BytesIO(data), name), "name": "Tệp thêm"},
        "content_type": "multipart/form-data",
    }


def _json(body: dict[str, Any]) -> Callable[[], dict[str, Any]]:
    return lambda: {"json": body}


# -- the REST API -----------------------------------------------------------------------------

REST_OPERATIONS = (
    "read_draft",
    "create",
    "edit_metadata",
    "upload",
    "link",
    "validation_report",
    "findings",
    "decide_keep",
    "submit",
    "approve",
    "reject",
    "withdraw",
    "delete_draft",
    "activity",
)
REST_SUCCESS = {"create": 201, "upload": 201, "link": 201, "delete_draft": 204}


def _rest_call(world: World, op: str) -> Call:
    """Build the call of ``op`` on a fresh target of organization A."""
    if op == "create":
        body = {"organization": world.own.name, "title": "Bãi đỗ xe qua API"}
        return Call(
            "POST",
            "/api/v1/datasets",
            _json(body),
            lambda answer: (
                _state(world, answer["name"]) == "draft"
                and answer["organization"]["name"] == world.own.name
            ),
        )
    if op in ("approve", "reject"):
        target = world.submitted()
    elif op == "withdraw":
        target = world.published()
    elif op in ("findings", "decide_keep"):
        target = world.draft(PII_CSV)
    else:
        target = world.draft()
    base = f"/api/v1/datasets/{target.name}"
    rid = _first_resource(world, target)
    name = target.name
    call = Call("GET", base, secrets=_secrets(world, target))
    if op == "read_draft":
        title = _working(world, name)["title"]
        call.took_effect = lambda a: a["title"] == title and a["state"] == "draft"
    elif op == "edit_metadata":
        call.method, call.body = "PATCH", _json({"title": "Đã sửa qua API"})
        call.extra = {"If-Match": "*"}
        call.took_effect = lambda a: _working(world, name)["title"] == "Đã sửa qua API"
    elif op in ("upload", "link"):
        call.method, call.path = "POST", f"{base}/resources"
        call.body = (
            _file()
            if op == "upload"
            else _json({"url": "https://example.org/them.csv", "name": "Liên kết"})
        )
        call.took_effect = lambda a: len(_working(world, name)["entries"]) == 2
    elif op == "validation_report":
        call.path = f"{base}/resources/{rid}/validation"
        call.took_effect = lambda a: a["valid"] is True and a["row_count"] == 4
    elif op == "findings":
        call.path = f"{base}/resources/{rid}/findings"
        call.took_effect = lambda a: "so_dien_thoai" in {f["column"] for f in a["findings"]}
    elif op == "decide_keep":
        keep = {"column": "so_dien_thoai", "action": "keep", "justification": "Số tổng đài"}
        call.method, call.path = "PUT", f"{base}/resources/{rid}/decisions"
        call.body = _json({"decisions": [keep]})
        call.took_effect = lambda a: _working(world, name)["decisions"]["so_dien_thoai"] == "keep"
    elif op in ("submit", "approve", "reject", "withdraw"):
        after = {
            "submit": "submitted",
            "approve": "published",
            "reject": "rejected",
            "withdraw": "withdrawn",
        }[op]
        call.method, call.path = "POST", f"{base}/{op}"
        call.body = _json({"comment": "Lý do rõ ràng"})
        call.took_effect = lambda a: _state(world, name) == after and a["state"] == after
    elif op == "delete_draft":
        call.method = "DELETE"
        call.took_effect = lambda a: _state(world, name) == "gone"
    else:
        assert op == "activity"
        call.path = f"{base}/activity"
        call.took_effect = lambda a: {"create", "upload"} <= {i["action"] for i in a["items"]}
    call.missing = (call.path.replace(name, MISSING), call.body)
    return call


def _rest(client, call: Call, token: str | None, path: str = "", body=None):
    headers = dict(call.extra)
    if token:
        headers["Authorization"] = f"Bearer {token}"
    kwargs = (body or call.body)()
    return client.open(path or call.path, method=call.method, headers=headers, **kwargs)


REST_REFUSALS = {
    "unauthenticated": (401, "unauthorized"),
    "not_found": (404, "not_found"),
    "forbidden": (403, "forbidden"),
    "kept_back": (422, "validation_failed"),
}


def _assert_rest_refused(world: World, client, call: Call, token, response, kind: str) -> None:
    status, code = REST_REFUSALS[kind]
    body = response.get_json()
    assert response.status_code == status, (kind, response.status_code, body)
    assert body["error"]["code"] == code and body["error"]["message"]
    assert world.unchanged(), f"refused ({kind}) but something changed"
    if kind == "kept_back":
        assert body["error"]["fields"] == {"so_dien_thoai": ["keep_needs_steward"]}
    if kind == "not_found":
        text = response.get_data(as_text=True)
        assert not any(secret in text for secret in call.secrets), text
        assert call.missing is not None
        path, replay = call.missing
        ghost = _rest(client, call, token, path, replay)
        assert (ghost.status_code, ghost.get_json()) == (response.status_code, body)


@pytest.mark.parametrize(("role", "op"), [(r, o) for o in REST_OPERATIONS for r in ROLES])
def test_rest_matrix(services, client, role: str, op: str) -> None:
    world = build_world(services)
    token = world.token(role)
    call = _rest_call(world, op)
    world.snapshot()
    response = _rest(client, call, token)
    if role in EXPECTED[op]:
        assert response.status_code == REST_SUCCESS.get(op, 200), response.get_json()
        answer = response.get_json() if response.status_code != 204 else {}
        assert call.took_effect(answer), f"{role} was allowed to {op} but nothing changed"
        return
    _assert_rest_refused(world, client, call, token, response, refusal(role, op))


@pytest.mark.parametrize("op", REST_OPERATIONS)
def test_rest_read_only_tokens_read_but_never_write(services, client, op: str) -> None:
    # Every role allowed to do ``op``, with a read-only token instead (one world per op).
    world = build_world(services)
    for role in sorted(EXPECTED[op]):
        token = world.token(role, Scope.READ)
        call = _rest_call(world, op)
        world.snapshot()
        response = _rest(client, call, token)
        if op in READS:
            assert response.status_code == 200 and call.took_effect(response.get_json()), role
            continue
        _assert_rest_refused(world, client, call, token, response, "forbidden")


# -- the CKAN Action API ----------------------------------------------------------------------

# CKAN action (with the target it works on) → the operation of the matrix it is.
CKAN_OPERATIONS = {
    "package_show": "read_draft",
    "resource_show": "read_draft",
    "package_activity_list": "activity",
    "package_create": "create",
    "package_update": "edit_metadata",
    "package_patch": "edit_metadata",
    "resource_create_upload": "upload",
    "resource_create_url": "link",
    "resource_update": "upload",
    "package_patch_active": "submit",
    "package_delete_draft": "delete_draft",
    "package_delete_published": "withdraw",
}


def _ckan_call(world: World, action: str, role: str) -> Call:
    if action == "package_create":
        body = {"name": "bai-do-xe-ckan", "title": "Bãi đỗ xe qua CKAN", "owner_org": "so-a"}
        return Call(
            "POST",
            "/api/3/action/package_create",
            _json(body),
            lambda a: _state(world, "bai-do-xe-ckan") == "draft" and a["state"] == "draft",
        )
    target = world.published() if action == "package_delete_published" else world.draft()
    name, rid = target.name, _first_resource(world, target)
    verb = action.removesuffix("_upload").removesuffix("_url").removesuffix("_active")
    verb = verb.removesuffix("_draft").removesuffix("_published")
    call = Call("POST", f"/api/3/action/{verb}", secrets=_secrets(world, target))
    params: dict[str, Any] = {"id": name}
    asked = name
    if action == "package_show":
        call.took_effect = lambda a: a["name"] == name and a["state"] == "draft"
    elif action == "resource_show":
        params, asked = {"id": rid}, rid
        call.took_effect = lambda a: a["id"] == rid
    elif action == "package_activity_list":
        call.took_effect = lambda a: len(a) >= 2
    elif action in ("package_update", "package_patch"):
        params["title"] = "Đã sửa qua CKAN"
        call.took_effect = lambda a: _working(world, name)["title"] == "Đã sửa qua CKAN"
    elif action == "package_patch_active":
        params["state"] = "active"
        # A steward who is the organization's only steward approves at once (SPEC §4).
        after = "published" if role == "steward_own" else "submitted"
        call.took_effect = lambda a: _state(world, name) == after
    elif action in ("resource_create_upload", "resource_update"):
        key = "package_id" if action == "resource_create_upload" else "id"
        params = {key: name if key == "package_id" else rid, "name": "Tệp thêm"}
        asked = params[key]
        before = _working(world, name)["entries"]
        count = 2 if action == "resource_create_upload" else 1
        call.took_effect = lambda a: (
            len(entries := _working(world, name)["entries"]) == count and entries != before
        )
    elif action == "resource_create_url":
        params = {"package_id": name, "url": "https://example.org/them.csv", "name": "Liên kết"}
        call.took_effect = lambda a: len(_working(world, name)["entries"]) == 2
    elif action == "package_delete_draft":
        call.took_effect = lambda a: _state(world, name) == "gone"
    else:
        assert action == "package_delete_published"
        call.took_effect = lambda a: _state(world, name) == "withdrawn"
    uploads = action in ("resource_create_upload", "resource_update")

    def body_for(values: dict[str, Any]) -> Callable[[], dict[str, Any]]:
        if uploads:
            return lambda: {
                "data": {**values, "upload": (io.BytesIO(SAMPLE_CSV), "them.csv")},
                "content_type": "multipart/form-data",
            }
        return _json(values)

    call.body = body_for(params)
    ghost = MISSING_RESOURCE if asked == rid else MISSING
    call.missing = (call.path, body_for({k: ghost if v == asked else v for k, v in params.items()}))
    call.extra = {"asked": asked, "ghost": ghost}
    return call


def _ckan(client, call: Call, token: str | None, body=None):
    # CKAN's own header form: the bare token in Authorization.
    headers = {"Authorization": token} if token else {}
    return client.open(call.path, method="POST", headers=headers, **(body or call.body)())


CKAN_REFUSALS = {
    "unauthenticated": (403, "Authorization Error"),
    "not_found": (404, "Not Found Error"),
    "forbidden": (403, "Authorization Error"),
}


def _assert_ckan_refused(world: World, client, call: Call, token, response, kind: str) -> None:
    status, kind_type = CKAN_REFUSALS[kind]
    body = response.get_json()
    assert response.status_code == status, (kind, response.status_code, body)
    assert body["success"] is False and body["error"]["__type"] == kind_type, body
    assert world.unchanged(), f"refused ({kind}) but something changed"
    if kind == "not_found":
        text = json.dumps(body["error"], ensure_ascii=False)
        assert not any(s in text for s in call.secrets if s != call.extra["asked"]), text
        assert call.missing is not None
        ghost = _ckan(client, call, token, call.missing[1]).get_json()
        ghost_text = json.dumps(ghost["error"], ensure_ascii=False)
        assert text.replace(call.extra["asked"], "?") == ghost_text.replace(
            call.extra["ghost"], "?"
        )


@pytest.mark.parametrize(("role", "action"), [(r, a) for a in CKAN_OPERATIONS for r in ROLES])
def test_ckan_matrix(services, client, role: str, action: str) -> None:
    world = build_world(services)
    token = world.token(role)
    call = _ckan_call(world, action, role)
    op = CKAN_OPERATIONS[action]
    world.snapshot()
    response = _ckan(client, call, token)
    body = response.get_json()
    if role in EXPECTED[op]:
        assert response.status_code == 200 and body["success"] is True, body
        assert call.took_effect(body["result"]), f"{role} was allowed to {action}: no effect"
        return
    _assert_ckan_refused(world, client, call, token, response, refusal(role, op))


@pytest.mark.parametrize("action", CKAN_OPERATIONS)
def test_ckan_read_only_tokens_read_but_never_write(services, client, action: str) -> None:
    # Every role allowed to do ``action``, with a read-only token instead (one world each).
    world = build_world(services)
    for role in sorted(EXPECTED[CKAN_OPERATIONS[action]]):
        token = world.token(role, Scope.READ)
        call = _ckan_call(world, action, role)
        world.snapshot()
        response = _ckan(client, call, token)
        body = response.get_json()
        if CKAN_OPERATIONS[action] in READS:
            assert body["success"] is True and call.took_effect(body["result"]), role
            continue
        _assert_ckan_refused(world, client, call, token, response, "forbidden")
        assert "chỉ có quyền đọc" in body["error"]["message"]  # "this token is read-only"


# -- through the real ckanapi client ----------------------------------------------------------


def test_ckanapi_client_sees_the_same_matrix(services, live_server) -> None:
    world = build_world(services)

    def as_role(role: str, scope: Scope = Scope.READ_WRITE) -> ckanapi.RemoteCKAN:
        token = world.token(role, scope) if role != "anonymous" else None
        return ckanapi.RemoteCKAN(live_server.url, apikey=token)

    draft, published = world.draft(), world.published()
    world.snapshot()
    # Outsiders and the public: the draft does not exist, to read or to write.
    for role in ("anonymous", "consumer", "publisher_other", "steward_other"):
        with pytest.raises(ckanapi.NotFound):
            as_role(role).action.package_show(id=draft.name)
    with pytest.raises(ckanapi.NotFound):
        as_role("publisher_other").action.package_update(id=draft.name, title="Chiếm quyền")
    with pytest.raises(ckanapi.NotFound):
        as_role("steward_other").action.package_delete(id=draft.name)
    # Creating in another organization, writing with a read-only token: not allowed.
    with pytest.raises(ckanapi.NotAuthorized):
        as_role("consumer").action.package_create(name="xe-dap", title="Xe đạp", owner_org="so-a")
    with pytest.raises(ckanapi.NotAuthorized):
        as_role("publisher_own", Scope.READ).action.package_create(
            name="xe-dap", title="Xe đạp", owner_org="so-a"
        )
    # A published dataset is visible to all, but only its organization's steward withdraws it.
    with pytest.raises(ckanapi.NotAuthorized):
        as_role("steward_other").action.package_delete(id=published.name)
    with pytest.raises(ckanapi.NotAuthorized):
        as_role("sysadmin").action.package_update(id=draft.name, title="Quản trị sửa")
    assert world.unchanged()
    # Members work as usual.
    assert as_role("sysadmin").action.package_show(id=draft.name)["state"] == "draft"
    result = as_role("publisher_own").action.resource_create(
        package_id=draft.name, name="Tệp thêm", upload=("them.csv", io.BytesIO(SAMPLE_CSV))
    )
    assert result["package_id"] == draft.id
    assert len(_working(world, draft.name)["entries"]) == 2
    as_role("steward_own").action.package_delete(id=published.name)
    assert _state(world, published.name) == "withdrawn"


def test_review_comments_stay_with_members_on_both_apis(services, client) -> None:
    # A rejection's comment is internal review talk: members read it; the public sees the
    # comments of approvals and withdrawals only (as on the dataset's web page).
    world = build_world(services)
    dataset = world.submitted()
    steward = world.actor("steward_own")
    services.workflow.reject(steward, dataset.name, "Thiếu mô tả cột, hỏi chị Lan")
    services.workflow.submit(world.actor("publisher_own"), dataset.name)
    services.workflow.approve(steward, dataset.name, "Đã đủ điều kiện công bố")

    def ckan_comments(token: str | None) -> dict[str, str]:
        headers = {"Authorization": token} if token else {}
        answer = client.post(
            "/api/3/action/package_activity_list", json={"id": dataset.name}, headers=headers
        ).get_json()
        return {a["data"]["action"]: a["data"]["comment"] for a in answer["result"]}

    def rest_comments(token: str | None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        items = client.get(f"/api/v1/datasets/{dataset.name}/activity", headers=headers)
        return {i["action"]: i.get("comment", "") for i in items.get_json()["items"]}

    for outsider in (None, world.token("publisher_other")):
        seen = ckan_comments(outsider)
        assert seen["reject"] == "" and seen["approve"] == "Đã đủ điều kiện công bố"
        assert "reject" not in rest_comments(outsider)
    member = world.token("publisher_own")
    assert ckan_comments(member)["reject"] == "Thiếu mô tả cột, hỏi chị Lan"
    assert rest_comments(member)["reject"] == "Thiếu mô tả cột, hỏi chị Lan"
