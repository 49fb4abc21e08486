"""Who may do what (SPEC §1, §3): role × operation × own/other organization.

The same matrix runs at the domain level (services called with each role's actor) and on
the web pages (status codes and what changed); test_permission_matrix_api.py runs it over
the REST API and the CKAN Action API. Organization A is "own"; publisher_other and
steward_other belong to organization B only. Expected outcomes live in world.py.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from datasets.metadata_input import DatasetMetadata
from datasets.model import Dataset, DatasetState
from datasets.personal import PersonalDataKind
from datasets.queries import find_dataset
from publishers import Actor, InvalidInput, NotFound, Permission, PermissionDenied, Role, can
from tests.app.accounts.world import (
    EXPECTED,
    ON_HIDDEN,
    PII_CSV,
    ROLES,
    World,
    build_world,
    fingerprint,
    refusal,
    sign_in_as,
)
from tests.conftest import csrf_from
from tests.factories import SAMPLE_CSV, upload_bytes

WEB_OPERATIONS = (
    "read_draft",
    "create",
    "edit_metadata",
    "upload",
    "submit",
    "approve",
    "reject",
    "withdraw",
    "delete_draft",
    "decide_keep",
    "manage_members",
    "manage_policy",
    "admin_pages",
)
CASES = [(role, op) for op in WEB_OPERATIONS for role in ROLES]


def _state(world: World, name: str) -> str:
    with world.services.sessions() as session:
        dataset = find_dataset(session, name)
        return dataset.state if dataset else "gone"


def _meta(title: str) -> DatasetMetadata:
    return DatasetMetadata(title_vi=title, title_en="Edited", description_vi="Mô tả.")


# -- the domain level ------------------------------------------------------------------------


def _domain_operation(
    world: World, op: str
) -> tuple[Callable[[Actor], object], Callable[[], bool]]:
    """Return (do it as actor, did it take effect) for ``op`` on organization A."""
    svc = world.services
    if op == "read_draft":
        draft = world.draft()
        return (lambda a: _require(a, Permission.READ_DRAFT, draft.organization_id)), lambda: True
    if op == "create":
        return (lambda a: svc.editor.create(a, world.own.id, _meta("Dữ liệu mới"))), lambda: True
    if op == "edit_metadata":
        draft = world.draft()
        return (
            lambda a: svc.editor.update_metadata(
                a, draft.name, _meta("Đã sửa"), expected_version=None
            )
        ), lambda: _revision_title(world, draft) == "Đã sửa"
    if op == "upload":
        draft = world.draft()
        return (lambda a: upload_bytes(svc, a, draft.name, SAMPLE_CSV, "more.csv")), lambda: True
    if op in ("submit", "delete_draft"):
        draft = world.draft()
        call = svc.workflow.submit if op == "submit" else svc.workflow.delete_draft
        after = "submitted" if op == "submit" else "gone"
        return (lambda a: call(a, draft.name)), lambda: _state(world, draft.name) == after
    if op in ("approve", "reject"):
        submitted = world.submitted()
        after = "published" if op == "approve" else "rejected"
        if op == "approve":
            return (lambda a: svc.workflow.approve(a, submitted.name)), (
                lambda: _state(world, submitted.name) == after
            )
        return (lambda a: svc.workflow.reject(a, submitted.name, "Thiếu mô tả")), (
            lambda: _state(world, submitted.name) == after
        )
    if op == "withdraw":
        published = world.published()
        return (lambda a: svc.workflow.withdraw(a, published.name, "Dữ liệu sai")), (
            lambda: _state(world, published.name) == "withdrawn"
        )
    if op == "decide_keep":
        draft = world.draft(PII_CSV)
        rid = _resource_id(world, draft)
        keep = [{"column": "so_dien_thoai", "action": "keep", "justification": "Số tổng đài"}]
        return (lambda a: svc.editor.set_decisions(a, draft.name, rid, keep)), lambda: True
    if op == "manage_members":
        return (
            (lambda a: svc.admin.set_member(a, world.own.id, "consumer", Role.PUBLISHER)),
            lambda: (
                "consumer"
                in {m.user.name for m in svc.admin.members(world.actor("sysadmin"), world.own.id)}
            ),
        )
    if op == "manage_policy":
        from datasets.org_policy import save_organization_policy

        org = world.own
        return (
            lambda a: save_organization_policy(svc.admin, a, org, {"phone": "drop"}, {})
        ), lambda: '"phone": "drop"' in svc.accounts.get_organization(org.id).policy
    assert op == "admin_pages"
    return (lambda a: svc.admin.create_organization(a, "so-moi", "Sở Mới")), (
        lambda: svc.accounts.find_organization("so-moi") is not None
    )


def _require(actor: Actor, permission: Permission, org_id: str) -> None:
    if not can(actor, permission, org_id):
        raise PermissionDenied("no")


def _revision_title(world: World, dataset: Dataset) -> str:
    with world.services.sessions() as session:
        found = find_dataset(session, dataset.name)
        assert found is not None and found.working_revision is not None
        return found.working_revision.title_vi


def _resource_id(world: World, dataset: Dataset) -> str:
    with world.services.sessions() as session:
        found = find_dataset(session, dataset.name)
        assert found is not None and found.working_revision is not None
        entry = found.working_revision.entries[0]
        assert entry.version.findings, "the PII sample must produce findings"
        return entry.resource_id


def _domain_refusal(role: str, op: str) -> type[Exception]:
    """The domain error refusing ``op`` to ``role``: whoever may not see the target is
    told it does not exist (anonymous included: the surfaces ask them to sign in first)."""
    if op == "read_draft":
        return PermissionDenied  # a plain permission question at this level (_require)
    if op in ON_HIDDEN and (role == "anonymous" or refusal(role, op) == "not_found"):
        return NotFound
    if role != "anonymous" and refusal(role, op) == "kept_back":
        return InvalidInput
    return PermissionDenied


@pytest.mark.parametrize(("role", "op"), CASES)
def test_domain_matrix(services, role: str, op: str) -> None:
    world = build_world(services)
    do, took_effect = _domain_operation(world, op)
    if role in EXPECTED[op]:
        do(world.actor(role))
        assert took_effect(), f"{role} was allowed to {op} but nothing changed"
        return
    before = fingerprint(services)
    with pytest.raises((PermissionDenied, InvalidInput, NotFound)) as denied:
        do(world.actor(role))
    assert type(denied.value) is _domain_refusal(role, op), repr(denied.value)
    if isinstance(denied.value, InvalidInput):  # a publisher's keep is refused per column
        assert denied.value.errors == {"so_dien_thoai": ["keep_needs_steward"]}
    assert fingerprint(services) == before, f"{role} was refused {op} but something changed"
    assert not (op not in ("read_draft", "create", "upload", "decide_keep") and took_effect())


def test_steward_cannot_approve_own_submission_when_another_steward_exists(services) -> None:
    world = build_world(services)
    steward = world.actor("steward_own")
    second = services.accounts.create_user("steward-two", "s2@example.org", None)
    services.accounts.add_member(world.own.id, second.id, Role.STEWARD)
    draft = world.draft()
    services.workflow.submit(steward, draft.name)
    with pytest.raises(PermissionDenied) as denied:
        services.workflow.approve(steward, draft.name)
    assert denied.value.params["reason"] == "own_submission"
    services.workflow.approve(services.accounts.actor_for(second.id), draft.name)
    assert _state(world, draft.name) == DatasetState.PUBLISHED.value


def test_organization_policy_decides_new_uploads(services) -> None:
    from datasets.org_policy import save_organization_policy

    world = build_world(services)
    org = world.own
    save_organization_policy(
        services.admin, world.actor("steward_own"), org, {PersonalDataKind.PHONE.value: "drop"}, {}
    )
    draft = world.draft(PII_CSV)
    with services.sessions() as session:
        found = find_dataset(session, draft.name)
        assert found is not None and found.working_revision is not None
        decisions = {
            d["column"]: d["action"] for d in found.working_revision.entries[0].version.decisions
        }
    assert decisions["so_dien_thoai"] == "drop"


# -- the web pages ---------------------------------------------------------------------------


def _post(world: World, client, path: str, data: dict[str, str]):
    token = csrf_from(client, "/user/login")
    world.snapshot()
    return client.post(path, data={**data, "csrf_token": token})


def _web_operation(world: World, op: str, client):
    """Return (response, did it take effect, text an allowed answer shows)."""
    if op == "read_draft":
        draft = world.draft()
        response = client.get(f"/dataset/{draft.name}/manage")
        return response, lambda: True, _revision_title(world, draft)
    if op == "create":
        response = _post(
            world,
            client,
            "/dataset/new",
            {
                "organization_id": world.own.id,
                "title_vi": "Bãi đỗ xe mới",
                "license_id": "cc-by-4.0",
            },
        )
        return response, lambda: _state(world, "bai-do-xe-moi") == "draft", None
    if op == "edit_metadata":
        draft = world.draft()
        data = {"title_vi": "Đã sửa trên web", "license_id": "cc-by-4.0"}
        response = _post(world, client, f"/dataset/edit/{draft.name}", data)
        return response, lambda: _revision_title(world, draft) == "Đã sửa trên web", None
    if op == "upload":
        import io

        draft = world.draft()
        token = csrf_from(client, "/user/login")
        world.snapshot()
        response = client.post(
            f"/dataset/{draft.name}/resources",
            data={"csrf_token": token, "file": (io.BytesIO(SAMPLE_CSV), "them.csv")},
            content_type="multipart/form-data",
        )
        return response, lambda: len(_entries(world, draft)) == 2, None
    if op in ("submit", "delete_draft"):
        draft = world.draft()
        path = "submit" if op == "submit" else "delete"
        after = "submitted" if op == "submit" else "gone"
        response = _post(world, client, f"/dataset/{draft.name}/{path}", {})
        return response, lambda: _state(world, draft.name) == after, None
    if op in ("approve", "reject", "withdraw"):
        dataset = world.published() if op == "withdraw" else world.submitted()
        after = {"approve": "published", "reject": "rejected", "withdraw": "withdrawn"}[op]
        response = _post(
            world, client, f"/dataset/{dataset.name}/{op}", {"comment": "Lý do rõ ràng"}
        )
        return response, lambda: _state(world, dataset.name) == after, None
    if op == "decide_keep":
        draft = world.draft(PII_CSV)
        rid = _resource_id(world, draft)
        data = {
            "column": "so_dien_thoai",
            "action-so_dien_thoai": "keep",
            "justification-so_dien_thoai": "Số tổng đài công khai",
        }
        response = _post(world, client, f"/dataset/{draft.name}/resource/{rid}/decisions", data)
        return response, lambda: _decision(world, draft, "so_dien_thoai") == "keep", None
    if op == "manage_members":
        response = client.get(f"/organization/{world.own.name}/members")
        return response, lambda: True, "steward-own@example.org"
    if op == "manage_policy":
        data = {"action-phone": "drop"}
        response = _post(world, client, f"/organization/{world.own.name}/policy", data)
        svc = world.services
        return (
            response,
            lambda: '"phone": "drop"' in svc.accounts.get_organization(world.own.id).policy,
            None,
        )
    assert op == "admin_pages"
    response = client.get("/admin/organizations")
    return response, lambda: True, world.own.title


def _entries(world: World, dataset: Dataset) -> list[object]:
    with world.services.sessions() as session:
        found = find_dataset(session, dataset.name)
        assert found is not None and found.working_revision is not None
        return list(found.working_revision.entries)


def _decision(world: World, dataset: Dataset, column: str) -> str:
    with world.services.sessions() as session:
        found = find_dataset(session, dataset.name)
        assert found is not None and found.working_revision is not None
        decisions = found.working_revision.entries[0].version.decisions or []
        return next((d["action"] for d in decisions if d["column"] == column), "")


@pytest.mark.parametrize(("role", "op"), CASES)
def test_web_matrix(services, client, role: str, op: str) -> None:
    world = build_world(services)
    sign_in_as(client, world, role)
    response, took_effect, shows = _web_operation(world, op, client)
    body = response.get_data(as_text=True)
    if role in EXPECTED[op]:
        assert response.status_code in (200, 201, 302), body[:500]
        assert took_effect(), f"{role} was allowed to {op} but nothing changed"
        if shows:
            assert shows in body
        return
    kind = refusal(role, op)
    if kind == "unauthenticated":
        assert response.status_code == 302 and "/user/login" in response.headers["Location"]
    elif kind == "not_found":
        assert response.status_code == 404, body[:500]  # drafts do not exist for outsiders
    elif kind == "kept_back":
        assert response.status_code in (302, 303)  # sent back with the reason, nothing saved
    else:
        assert response.status_code == 403, body[:500]
        assert "403" in body or "không được phép" in body.lower() or "not allowed" in body.lower()
    if op not in ("read_draft", "manage_members", "admin_pages"):
        assert not took_effect(), f"{role} could {op}"
        assert world.unchanged(), f"{role} was refused {op} but something changed"
