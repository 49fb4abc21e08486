"""The smaller read actions CKAN clients call, through the real ``ckanapi`` client."""

from __future__ import annotations

import ckanapi
import pytest
import requests

from datasets.themes import save_theme
from publishers import Role
from tests.app.ckan_api.conftest import CkanPortal
from tests.datasets.test_sharing import Portal
from tests.factories import actor, make_user


def test_help_show_answers_the_help_url_of_every_answer(portal: CkanPortal) -> None:
    answer = requests.get(
        f"{portal.server.url}/api/3/action/package_show",
        params={"id": portal.dataset.name},
        timeout=10,
    ).json()
    help_url = answer["help"]
    assert help_url.endswith("/api/3/action/help_show?name=package_show")
    shown = requests.get(help_url, timeout=10).json()
    assert shown["success"] is True
    assert shown["result"].startswith("package_show (GET or POST)")
    assert "drafts for the organization's members" in shown["result"]
    ckan = portal.anonymous
    assert ckan.action.help_show(name="package_create").startswith("package_create (POST)")
    with pytest.raises(ckanapi.NotFound):
        ckan.action.help_show(name="no_such_action")


def test_package_autocomplete_and_tag_show(portal: CkanPortal) -> None:
    ckan = portal.anonymous
    found = ckan.action.package_autocomplete(q="Xe Bu")  # typed so far, any case
    assert found == [
        {
            "match_field": "title",
            "match_displayed": "Trạm dừng xe buýt giao thông",
            "name": portal.dataset.name,
            "title": "Trạm dừng xe buýt giao thông",
        }
    ]
    by_name = ckan.action.package_autocomplete(q=portal.dataset.name[:6])
    assert [(m["match_field"], m["name"]) for m in by_name] == [("name", portal.dataset.name)]
    assert ckan.action.package_autocomplete(q="buýt g")[0]["name"] == portal.dataset.name
    assert ckan.action.package_autocomplete(q="khong ton tai") == []
    tag = ckan.action.tag_show(id="xe buýt", include_datasets=True)
    assert (tag["name"], tag["vocabulary_id"]) == ("xe buýt", None)
    assert [p["name"] for p in tag["packages"]] == [portal.dataset.name]
    assert ckan.action.tag_show(id=tag["id"])["name"] == "xe buýt"
    assert "packages" not in ckan.action.tag_show(id="xe buýt")
    with pytest.raises(ckanapi.NotFound):
        ckan.action.tag_show(id="khong-co")


def test_user_show_is_yourself_only_and_never_another_address(portal: CkanPortal) -> None:
    svc = portal.services
    me = svc.accounts.find_user(portal.publisher.user_id or "")
    steward = svc.accounts.find_user(portal.steward.user_id or "")
    assert me is not None and steward is not None
    shown = portal.as_publisher.action.user_show(id=me.name)
    assert (shown["id"], shown["name"], shown["email"]) == (me.id, me.name, me.email)
    assert shown["sysadmin"] is False and shown["state"] == "active"
    assert portal.as_publisher.action.user_show()["id"] == me.id
    with pytest.raises(ckanapi.NotAuthorized) as refused:
        portal.as_publisher.action.user_show(id=steward.name)
    assert steward.email not in str(refused.value)
    with pytest.raises(ckanapi.NotAuthorized):
        portal.anonymous.action.user_show(id=me.name)


def test_organization_list_for_user_and_member_list(portal: CkanPortal) -> None:
    svc = portal.services
    org_id = portal.dataset.organization_id
    org = svc.accounts.get_organization(org_id)
    # the steward manages it; the publisher only with a permission publishers hold
    [managed] = portal.as_steward.action.organization_list_for_user()
    assert (managed["name"], managed["capacity"], managed["package_count"]) == (
        org.name,
        "admin",
        1,
    )
    assert portal.as_publisher.action.organization_list_for_user() == []
    [created] = portal.as_publisher.action.organization_list_for_user(permission="create_dataset")
    assert (created["id"], created["capacity"]) == (org_id, "editor")
    assert portal.anonymous.action.organization_list_for_user() == []
    admin = make_user(svc, sysadmin=True)
    everything = portal.client(svc.tokens.create(admin.id, "a")).action.organization_list_for_user()
    assert {o["capacity"] for o in everything} == {"admin"} and org.name in {
        o["name"] for o in everything
    }
    # members: datasets for everyone, users only for the organization's members
    publisher, steward = portal.publisher.user_id, portal.steward.user_id
    assert portal.anonymous.action.member_list(id=org.name) == [
        [portal.dataset.id, "package", "organization"]
    ]
    with pytest.raises(ckanapi.NotAuthorized):
        portal.anonymous.action.member_list(id=org.name, object_type="user")
    outsider = make_user(svc, svc.accounts.create_organization("so-khac", "Sở khác"), Role.STEWARD)
    with pytest.raises(ckanapi.NotAuthorized):
        portal.client(svc.tokens.create(outsider.id, "o")).action.member_list(
            id=org.name, object_type="user"
        )
    users = portal.as_publisher.action.member_list(id=org_id, object_type="user")
    assert sorted(users) == sorted([[publisher, "user", "editor"], [steward, "user", "admin"]])
    admins = portal.as_publisher.action.member_list(id=org_id, capacity="admin")
    assert admins == [[steward, "user", "admin"]]
    with pytest.raises(ckanapi.NotFound):
        portal.anonymous.action.member_list(id="khong-co")


def test_resource_search_and_datastore_info_shapes(portal: CkanPortal) -> None:
    ckan = portal.anonymous
    found = ckan.action.resource_search(query="format:csv")
    assert found["count"] == 1 and found["results"][0]["id"] == portal.resource_id
    both = ckan.action.resource_search(query=["format:CSV", f"id:{portal.resource_id[:8]}"])
    assert [r["id"] for r in both["results"]] == [portal.resource_id]
    assert ckan.action.resource_search(query="name:khong-co")["count"] == 0
    with pytest.raises(ckanapi.ValidationError):
        ckan.action.resource_search(query="secret:x")
    info = ckan.action.datastore_info(id=portal.resource_id)
    assert info["meta"]["count"] == 4 and info["meta"]["id"] == portal.resource_id
    assert [f["id"] for f in info["fields"]] == [
        "ma_tram",
        "ten_tram",
        "quan_huyen",
        "vi_do",
        "kinh_do",
        "so_cho",
    ]
    assert info["schema"]["so_cho"] == "int" and info["fields"][5]["type"] == "int"


def test_non_public_datasets_leak_no_resource_through_the_new_actions(portal: CkanPortal) -> None:
    svc = portal.services
    restricted = Portal(svc)
    for caller in (portal.anonymous, portal.as_publisher):
        names = [r["id"] for r in caller.action.resource_search(query="format:csv")["results"]]
        assert names == [portal.resource_id]
        tag_packages = caller.action.tag_show(id="xe buýt", include_datasets=True)["packages"]
        assert all(p["resources"] == [] for p in tag_packages if p["private"])
    with pytest.raises(ckanapi.NotFound):
        portal.anonymous.action.datastore_info(id=restricted.resource_id)
    outsider = portal.client(svc.tokens.create(restricted.business.user_id or "", "x"))
    with pytest.raises(ckanapi.NotAuthorized):
        outsider.action.datastore_info(id=restricted.resource_id)
    # the owning organization's steward reads its agency projection's columns
    steward = portal.client(svc.tokens.create(restricted.steward.user_id or "", "s"))
    columns = [f["id"] for f in steward.action.datastore_info(id=restricted.resource_id)["fields"]]
    assert "ho_ten" in columns and "so_cccd" in columns
    entries = svc.sharing.access_log(restricted.steward, restricted.name)
    assert [e.surface for e in entries] == ["ckan-datastore-info"]


def test_member_list_of_a_theme_lists_its_published_datasets(portal: CkanPortal) -> None:
    svc = portal.services
    admin = actor(svc, make_user(svc, sysadmin=True))
    save_theme(svc.sessions, admin, "giao-thong", "Giao thông", "Transport", "TRAN", 1)
    portal.as_steward.action.package_patch(
        id=portal.dataset.name, groups=[{"name": "giao-thong"}], state="active"
    )
    members = [[portal.dataset.id, "package", "public"]]
    assert portal.anonymous.action.member_list(id="giao-thong") == members
    theme_id = portal.anonymous.action.group_show(id="giao-thong")["id"]
    assert portal.anonymous.action.member_list(id=theme_id, object_type="package") == members
    assert portal.anonymous.action.member_list(id="giao-thong", object_type="user") == []
