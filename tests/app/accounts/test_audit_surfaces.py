"""The audit log sees privileged actions on every surface: web pages, REST API, CKAN API, CLI.

Lifecycle transitions are audited by the workflow itself (one entry per transition,
whichever surface asked); commands audit what they do with ``via=cli``. Tokens, comments
and personal data never reach the log.
"""

from __future__ import annotations

import json

from click.testing import CliRunner
from sqlalchemy import text

from app.cli import main
from publishers import AuditRow
from tests.app.accounts.world import World, build_world, sign_in_as
from tests.conftest import csrf_from

COMMENT = "Thiếu cột số điện thoại của ông Nguyễn Văn An"  # free text naming a person


def _rows(world: World, action: str = "") -> list[AuditRow]:
    page = world.services.audit.page(world.actor("sysadmin"), action=action, page_size=500)
    return list(reversed(page.rows))  # oldest first


def _raw_log(world: World) -> str:
    """Every stored column of every audit entry, as text."""
    with world.services.engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM audit_log")).all()
    return json.dumps([[str(v) for v in row] for row in rows], ensure_ascii=False)


def _cli(world: World, *args: str, stdin: str | None = None) -> str:
    settings = world.services.settings
    env = {"OPENDATA_DATA_DIR": str(settings.data_dir), "DATABASE_URL": settings.database_url}
    result = CliRunner().invoke(main, list(args), env=env, input=stdin, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_rest_lifecycle_actions_are_audited_with_actor_and_surface(services, client) -> None:
    world = build_world(services)
    publisher, steward = world.token("publisher_own"), world.token("steward_own")
    draft = world.draft()
    submitted = client.post(
        f"/api/v1/datasets/{draft.name}/submit", headers={"Authorization": f"Bearer {publisher}"}
    )
    assert submitted.status_code == 200, submitted.get_json()
    rejected = client.post(
        f"/api/v1/datasets/{draft.name}/reject",
        json={"comment": COMMENT},
        headers={"Authorization": f"Bearer {steward}"},
    )
    assert rejected.status_code == 200, rejected.get_json()

    rows = _rows(world, "dataset.")
    assert [(r.action, r.actor_name) for r in rows] == [
        ("dataset.submit", "publisher-own"),
        ("dataset.reject", "steward-own"),
    ]
    for row in rows:
        assert row.target == f"dataset:{draft.name}"
        assert row.ip == "127.0.0.0/24"  # the test client's address, truncated
        assert row.details["via"] == "rest" and row.details["dataset_id"] == draft.id
    assert (rows[1].details["from"], rows[1].details["to"]) == ("submitted", "rejected")
    raw = _raw_log(world)
    assert publisher not in raw and steward not in raw and COMMENT not in raw
    assert "Nguyễn" not in raw


def test_refused_rest_transition_is_not_audited(services, client) -> None:
    world = build_world(services)
    draft = world.submitted()
    before = len(_rows(world, "dataset."))
    refused = client.post(
        f"/api/v1/datasets/{draft.name}/approve",
        headers={"Authorization": f"Bearer {world.token('publisher_own')}"},
    )
    assert refused.status_code == 403
    assert len(_rows(world, "dataset.")) == before


def test_ckan_api_lifecycle_actions_are_audited(services, client) -> None:
    world = build_world(services)
    published = world.published()
    token = world.token("steward_own")
    answer = client.post(
        "/api/3/action/package_delete",
        json={"id": published.name, "reason": COMMENT},
        headers={"X-CKAN-API-Key": token},
    )
    assert answer.get_json()["success"] is True
    withdraw = _rows(world, "dataset.withdraw")
    assert len(withdraw) == 1
    entry = withdraw[0]
    assert (entry.actor_name, entry.target) == ("steward-own", f"dataset:{published.name}")
    assert entry.details == {
        "dataset_id": published.id,
        "from": "published",
        "to": "withdrawn",
        "via": "ckan",
    }
    assert entry.ip == "127.0.0.0/24"
    # Submitting with "state": "active" (a steward approves at once): two entries.
    draft = world.draft()
    client.post(
        "/api/3/action/package_patch",
        json={"id": draft.name, "state": "active"},
        headers={"Authorization": token},
    )
    latest = [(r.action, r.details["via"]) for r in _rows(world, "dataset.")[-2:]]
    assert latest == [("dataset.submit", "ckan"), ("dataset.approve", "ckan")]
    raw = _raw_log(world)
    assert token not in raw and COMMENT not in raw


def test_web_transitions_are_audited_once(services, client) -> None:
    world = build_world(services)
    draft = world.submitted()
    sign_in_as(client, world, "steward_own")
    csrf = csrf_from(client, "/user/login")
    done = client.post(f"/dataset/{draft.name}/approve", data={"csrf_token": csrf})
    assert done.status_code == 302
    approvals = _rows(world, "dataset.approve")
    assert [(r.actor_name, r.details["via"]) for r in approvals] == [("steward-own", "web")]


def test_cli_token_and_account_commands_are_audited_without_secrets(services) -> None:
    world = build_world(services)
    user = world.users["publisher_own"]
    token = _cli(world, "token", "create", user.name, "--name", "may-chu", "--read-only").strip()
    assert token.startswith("odp_")
    assert "1 token(s) revoked" in _cli(world, "token", "revoke", user.name, "--all")
    _cli(world, "org", "create", "so-moi", "--title", "Sở Mới")
    _cli(
        world,
        "user",
        "create",
        "nhanvien",
        "--email",
        "nhanvien@example.org",
        "--password-stdin",
        "--org",
        "so-moi",
        "--role",
        "steward",
        stdin="mat-khau-rat-dai-2024\n",
    )

    rows = [r for r in _rows(world) if r.details.get("via") == "cli"]
    created = services.accounts.find_user("nhanvien")
    org = services.accounts.find_organization("so-moi")
    assert created is not None and org is not None
    assert [(r.action, r.target, r.actor_id) for r in rows] == [
        ("token.create", f"user:{user.id}", None),
        ("token.revoke", f"user:{user.id}", None),
        ("organization.create", "organization:so-moi", None),
        ("user.create", f"user:{created.id}", None),
        ("member.set", f"organization:{org.id}", None),
    ]
    assert rows[0].details == {"scope": "read", "via": "cli"}
    assert rows[1].details == {"count": 1, "via": "cli"}
    assert rows[4].details == {"user": created.id, "role": "steward", "via": "cli"}
    assert all(r.ip == "" for r in rows)  # no network: a terminal
    raw = _raw_log(world)
    for secret in (token, token[4:], "mat-khau-rat-dai-2024", "nhanvien@example.org"):
        assert secret not in raw
    # The sysadmin's page shows them.
    page = world.services.audit.page(world.actor("sysadmin"), action="token.")
    assert {r.action for r in page.rows} == {"token.create", "token.revoke"}


def test_cli_user_create_with_unknown_org_creates_nobody(services) -> None:
    world = build_world(services)
    settings = services.settings
    env = {"OPENDATA_DATA_DIR": str(settings.data_dir), "DATABASE_URL": settings.database_url}
    args = ["user", "create", "lac-loi", "--email", "l@example.org", "--org", "khong-co"]
    result = CliRunner().invoke(main, [*args, "--role", "publisher"], env=env)
    assert result.exit_code != 0
    assert services.accounts.find_user("lac-loi") is None
    assert _rows(world, "user.create") == []


def test_harvest_source_changes_are_audited_on_the_cli_and_the_web(services, client) -> None:
    world = build_world(services)
    secret = "tok-5b7e-khong-bao-gio-ghi-lai"
    settings = services.settings
    env = {
        "OPENDATA_DATA_DIR": str(settings.data_dir),
        "DATABASE_URL": settings.database_url,
        "OPENDATA_HARVEST_ALLOWED_HOSTS": "127.0.0.1",
    }

    def cli(*args: str, stdin: str | None = None) -> None:
        result = CliRunner().invoke(main, list(args), env=env, input=stdin)
        assert result.exit_code == 0, result.output

    source = ["--type", "ckan", "--url", "http://127.0.0.1:9/", "--org", world.own.name]
    cli("harvest", "source", "add", "nguon-cli", *source, "--config", '{"auth": "khoa"}')
    cli("harvest", "source", "secret", "nguon-cli", stdin=secret + "\n")
    sign_in_as(client, world, "sysadmin")
    form = {
        "csrf_token": csrf_from(client, "/admin/harvest/new"),
        "name": "nguon-web",
        "type": "dcat",
        "organization": world.own.name,
        "url": "http://127.0.0.1:9/catalog.ttl",
        "schedule": "manual",
        "config": "{}",
    }
    created = client.post("/admin/harvest/new", data=form)
    assert created.status_code == 302, created.get_data(as_text=True)[:500]

    rows = [(r.action, r.target, r.actor_name, r.details) for r in _rows(world, "harvest")]
    assert rows == [
        ("harvest_source.create", "harvest_source:nguon-cli", "", {"type": "ckan", "via": "cli"}),
        ("harvest_source.secret", "harvest_source:nguon-cli", "", {"via": "cli"}),
        (
            "harvest_source.create",
            "harvest_source:nguon-web",
            "sysadmin",
            {"type": "dcat", "via": "web"},
        ),
    ]
    assert secret not in _raw_log(world)
