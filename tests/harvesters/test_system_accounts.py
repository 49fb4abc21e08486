"""A harvest source's accounts are the portal's own, not people of the organization.

Registering a source makes ``harvest-<name>`` a publisher and ``harvest-<name>-steward`` a
steward of its organization. They must not change what the people there may do: a lone
human steward still approves their own submission (SPEC §3) and still cannot leave the
organization without a steward; nobody mails the unreachable ``.invalid`` addresses, and
the stewards hear of the harvested submissions that wait for them, not of every dataset a
job published.
"""

from __future__ import annotations

import pytest

from publishers import Conflict, PermissionDenied, Role, is_system_account
from tests.factories import SAMPLE_CSV, actor, make_dataset, make_user, upload_bytes
from tests.harvesters.conftest import csv_route, package, register, search_page
from tests.servers import ReplayServer

SEARCH = "/api/action/package_search"
TABLE = "phuong,so_ho\nBến Nghé,4210\nĐa Kao,5120\n"


def _recipients(svc) -> list[str]:
    return sorted(str(m["To"]) for m in svc.mailer.messages())


def test_lone_human_steward_still_approves_own_submission(hservices, org):
    steward = actor(hservices, make_user(hservices, org, Role.STEWARD, name="lan-duy-nhat"))
    register(hservices, "nguon-mot", "ckan", "http://127.0.0.1:9/", org)
    members = hservices.admin.members(steward, org.id)
    system = [m for m in members if m.user.is_system]
    assert sorted((m.user.name, m.role.value) for m in system) == [
        ("harvest-nguon-mot", "publisher"),
        ("harvest-nguon-mot-steward", "steward"),
    ]
    assert hservices.accounts.count_stewards(org.id) == 1
    dataset = make_dataset(hservices, steward, org, title="Bãi giữ xe")
    upload_bytes(hservices, steward, dataset.name, SAMPLE_CSV)
    hservices.workflow.submit(steward, dataset.name)
    assert hservices.workflow.approve(steward, dataset.name).state == "published"
    # A second person makes the rule bite again.
    other = actor(hservices, make_user(hservices, org, Role.STEWARD, name="minh-thu-hai"))
    again = make_dataset(hservices, steward, org, title="Bãi giữ xe 2")
    upload_bytes(hservices, steward, again.name, SAMPLE_CSV)
    hservices.workflow.submit(steward, again.name)
    with pytest.raises(PermissionDenied):
        hservices.workflow.approve(steward, again.name)
    assert hservices.workflow.approve(other, again.name).state == "published"


def test_last_human_steward_cannot_step_down_beside_the_harvester(hservices, org):
    info = make_user(hservices, org, Role.STEWARD, name="lan-cuoi-cung")
    steward = actor(hservices, info)
    register(hservices, "nguon-hai", "ckan", "http://127.0.0.1:9/", org)
    with pytest.raises(Conflict) as refused:
        hservices.admin.set_member(steward, org.id, info.name, Role.PUBLISHER)
    assert refused.value.params["reason"] == "last_steward"
    with pytest.raises(Conflict):
        hservices.admin.remove_member(steward, org.id, info.id)
    assert steward.roles[org.id] is Role.STEWARD


def test_harvest_mails_the_people_and_never_the_system_accounts(hservices, org):
    make_user(hservices, org, Role.STEWARD, name="mai-nhan-thu")
    with ReplayServer({}) as server:
        url = f"{server.url}/files/t.csv"
        server.routes[SEARCH] = search_page([package(1, url), package(2, url)])
        server.routes["/files/t.csv"] = csv_route(TABLE)
        register(hservices, "nguon-ba", "ckan", server.url, org)
        report = hservices.harvester.run("nguon-ba")
        assert report.counts()["created"] == 2 and not any(i.held for i in report.items)
        # Published directly: nothing waits for the steward, and nobody mails the
        # harvester its own submissions and approvals.
        assert _recipients(hservices) == []
        register(hservices, "nguon-bon", "ckan", server.url, org, {"require_review": True})
        held = hservices.harvester.run("nguon-bon")
        assert len(held.items) == 2 and all(i.held for i in held.items)
    # Held for review: the steward is told about each one.
    assert _recipients(hservices) == ["mai-nhan-thu@example.org"] * 2
    subjects = sorted(str(m["Subject"]) for m in hservices.mailer.messages())
    assert subjects == [f"Chờ duyệt / Waiting for review: Bộ dữ liệu {n}" for n in (1, 2)]


def test_only_password_less_reserved_addresses_are_system_accounts():
    assert is_system_account("harvest-x@harvest.invalid", "")
    assert is_system_account("Harvest-X@HARVEST.invalid", "")
    assert not is_system_account("harvest-x@harvest.invalid", "$argon2id$v=19$...")
    assert not is_system_account("lan@harvest.invalid.gov.vn", "")
    assert not is_system_account("lan@so-khac.gov.vn", "")


def test_the_harvester_accounts_cannot_be_demoted_or_removed(hservices, org):
    """Demoting the harvest steward would make every automatic approval fail: refused."""
    from publishers import InvalidInput

    steward = actor(hservices, make_user(hservices, org, Role.STEWARD, name="lan-quan-ly"))
    register(hservices, "nguon-ba", "ckan", "http://127.0.0.1:9/", org)
    system = {m.user.name: m for m in hservices.admin.members(steward, org.id) if m.user.is_system}
    with pytest.raises(InvalidInput) as demoted:
        hservices.admin.set_member(steward, org.id, "harvest-nguon-ba-steward", Role.PUBLISHER)
    assert demoted.value.errors == {"user": ["system_account"]}
    with pytest.raises(InvalidInput):
        hservices.admin.remove_member(steward, org.id, system["harvest-nguon-ba"].user.id)
    after = {m.user.name: m.role for m in hservices.admin.members(steward, org.id)}
    assert after["harvest-nguon-ba-steward"] is Role.STEWARD
    assert after["harvest-nguon-ba"] is Role.PUBLISHER
    # The members page offers no button for them.
    from app import create_app
    from tests.conftest import AuthActions
    from tests.factories import PASSWORD

    client = create_app(hservices.settings, hservices).test_client()
    assert AuthActions(client).login("lan-quan-ly", PASSWORD).status_code == 302
    page = client.get(f"/organization/{org.name}/members").get_data(as_text=True)
    row = page.split('data-user="harvest-nguon-ba-steward"')[1].split("</tr>")[0]
    assert "Tài khoản của trình thu thập, do nguồn thu thập quản lý" in row
    assert "<button" not in row
    mine = page.split('data-user="lan-quan-ly"')[1].split("</tr>")[0]
    assert "<button" in mine


def test_followers_hear_of_a_harvested_new_version(hservices, org):
    with ReplayServer({}) as server:
        url = f"{server.url}/files/t.csv"
        server.routes[SEARCH] = search_page([package(1, url)])
        server.routes["/files/t.csv"] = csv_route(TABLE)
        register(hservices, "nguon-nam", "ckan", server.url, org)
        hservices.harvester.run("nguon-nam")
        (name,) = [i.name for i in hservices.catalog.iter_all()]
        follower = make_user(hservices, name="nguoi-theo-doi-thu-hoach")
        hservices.follows.follow(hservices.accounts.actor_for(follower.id), name)
        server.routes[SEARCH] = search_page(
            [package(1, url, modified="2026-02-01T00:00:00", notes="Mô tả đã sửa.")]
        )
        report = hservices.harvester.run("nguon-nam")
        assert report.counts()["updated"] == 1
    mails = [m for m in hservices.mailer.messages() if follower.email in str(m["To"])]
    assert len(mails) == 1
    assert "New version" in mails[0]["Subject"]
