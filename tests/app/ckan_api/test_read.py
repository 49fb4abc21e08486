"""Read actions through the real ``ckanapi`` client over HTTP."""

from __future__ import annotations

import hashlib
import json

import ckanapi
import pytest
import requests

from datasets.themes import save_theme
from publishers import Role
from tests.app.ckan_api.conftest import CkanPortal
from tests.factories import (
    SAMPLE_CSV,
    actor,
    make_dataset,
    make_org,
    make_user,
    upload_bytes,
)


def _publish(portal: CkanPortal, org, title: str, tags: tuple[str, ...], **meta: object) -> str:
    svc = portal.services
    publisher = actor(svc, make_user(svc, org, Role.PUBLISHER))
    steward = actor(svc, make_user(svc, org, Role.STEWARD))
    dataset = make_dataset(svc, publisher, org, title=title, tags=tags, **meta)
    upload_bytes(svc, publisher, dataset.name, SAMPLE_CSV)
    svc.workflow.submit(publisher, dataset.name)
    svc.workflow.approve(steward, dataset.name)
    return dataset.name


def test_package_show_gives_full_dict_with_downloadable_resource(portal: CkanPortal) -> None:
    package = portal.anonymous.action.package_show(id=portal.dataset.name)
    assert package["title"] == "Trạm dừng xe buýt giao thông"
    assert package["notes"] == "Mô tả thử nghiệm."
    assert package["state"] == "active" and package["private"] is False
    assert package["type"] == "dataset"
    assert [t["name"] for t in package["tags"]] == ["xe buýt"] and package["num_tags"] == 1
    assert package["organization"]["id"] == package["owner_org"]
    assert package["license_id"] == "cc-by-4.0"
    assert package["license_title"] == "Creative Commons Attribution 4.0"
    assert "+" not in package["metadata_modified"] and "T" in package["metadata_created"]
    assert package["num_resources"] == 1
    resource = package["resources"][0]
    assert resource["id"] == portal.resource_id and resource["datastore_active"] is True
    assert resource["format"] == "CSV" and resource["package_id"] == package["id"]
    body = requests.get(resource["url"], timeout=10).content
    assert "sha256:" + hashlib.sha256(body).hexdigest() == resource["hash"]
    assert hashlib.sha256(body).hexdigest() == resource["sha256"]
    assert len(body) == resource["size"]
    # by id too, and through /api/3/action/
    by_id = requests.get(
        f"{portal.server.url}/api/3/action/package_show", params={"id": package["id"]}, timeout=10
    ).json()
    assert by_id["success"] is True and by_id["result"]["name"] == portal.dataset.name
    assert by_id["help"].endswith("help_show?name=package_show")


def test_lists_status_tags_licences_and_resource_show(portal: CkanPortal) -> None:
    ckan = portal.anonymous
    assert ckan.action.status_show()["api_version"] == 3
    assert ckan.action.package_list() == [portal.dataset.name]
    assert ckan.action.tag_list() == ["xe buýt"]
    assert ckan.action.tag_list(all_fields=True)[0]["display_name"] == "xe buýt"
    assert "cc-by-4.0" in [lic["id"] for lic in ckan.action.license_list()]
    resource = ckan.action.resource_show(id=portal.resource_id)
    assert resource["name"] == "data.csv" and resource["url"].endswith("/download/data.csv")
    with_resources = ckan.action.current_package_list_with_resources(limit=5)
    assert [p["name"] for p in with_resources] == [portal.dataset.name]
    assert with_resources[0]["resources"][0]["id"] == portal.resource_id
    assert requests.get(f"{portal.server.url}/api/3", timeout=10).json() == {"version": 3}


def test_organizations_with_counts_and_datasets(portal: CkanPortal) -> None:
    empty = make_org(portal.services)
    ckan = portal.anonymous
    names = ckan.action.organization_list()
    assert empty.name in names and len(names) == 2
    counts = {o["name"]: o["package_count"] for o in ckan.action.organization_list(all_fields=True)}
    assert counts[empty.name] == 0 and sum(counts.values()) == 1
    owner = next(n for n, c in counts.items() if c == 1)
    shown = ckan.action.organization_show(id=owner, include_datasets=True)
    assert shown["is_organization"] is True and shown["package_count"] == 1
    assert [p["title"] for p in shown["packages"]] == ["Trạm dừng xe buýt giao thông"]
    assert "packages" not in ckan.action.organization_show(id=owner)
    with pytest.raises(ckanapi.NotFound):
        ckan.action.organization_show(id="khong-ton-tai")


def test_package_search_counts_facets_over_every_hit(portal: CkanPortal) -> None:
    org = make_org(portal.services)
    _publish(portal, org, "Chất lượng không khí quận 1", ("không khí", "môi trường"))
    _publish(portal, org, "Chất lượng nước sông Sài Gòn", ("nước", "môi trường"))
    ckan = portal.anonymous
    result = ckan.action.package_search(
        q="chat luong", rows=1, **{"facet.field": ["organization", "tags"]}
    )
    assert result["count"] == 2 and len(result["results"]) == 1
    assert result["facets"]["tags"] == {"môi trường": 2, "không khí": 1, "nước": 1}
    assert result["facets"]["organization"] == {org.name: 2}
    items = result["search_facets"]["organization"]["items"]
    assert items == [{"name": org.name, "display_name": org.title, "count": 2}]
    second = ckan.action.package_search(q="chat luong", rows=1, start=1, sort="title_string asc")
    first = ckan.action.package_search(q="chat luong", rows=1, start=0, sort="title_string asc")
    assert {first["results"][0]["title"], second["results"][0]["title"]} == {
        "Chất lượng không khí quận 1",
        "Chất lượng nước sông Sài Gòn",
    }
    filtered = ckan.action.package_search(fq='tags:"không khí"')
    assert [p["title"] for p in filtered["results"]] == ["Chất lượng không khí quận 1"]
    everything = ckan.action.package_search(q="*:*")
    assert everything["count"] == 3
    with pytest.raises(ckanapi.SearchQueryError):
        ckan.action.package_search(sort="popularity sideways")


def test_search_query_error_shape(portal: CkanPortal) -> None:
    answer = requests.get(
        f"{portal.server.url}/api/action/package_search", params={"rows": "many"}, timeout=10
    )
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["__type"] == "Search Query Error" and "rows" in error["message"]
    assert answer.json()["success"] is False


def test_groups_are_themes(portal: CkanPortal) -> None:
    svc = portal.services
    admin = actor(svc, make_user(svc, sysadmin=True))
    save_theme(svc.sessions, admin, "giao-thong", "Giao thông", "Transport", "TRAN", 1)
    save_theme(svc.sessions, admin, "moi-truong", "Môi trường", "Environment", "ENVI", 2)
    org = make_org(svc)
    _publish(portal, org, "Tuyến xe buýt", ("xe buýt",), themes=("giao-thong",))
    ckan = portal.anonymous
    assert ckan.action.group_list() == ["giao-thong", "moi-truong"]
    groups = {g["name"]: g for g in ckan.action.group_list(all_fields=True)}
    assert groups["giao-thong"]["package_count"] == 1 and groups["moi-truong"]["package_count"] == 0
    assert groups["giao-thong"]["title"] == "Giao thông"
    shown = ckan.action.group_show(id="giao-thong", include_datasets=True)
    assert [p["title"] for p in shown["packages"]] == ["Tuyến xe buýt"]
    assert shown["packages"][0]["groups"][0]["name"] == "giao-thong"
    found = ckan.action.package_search(fq="groups:giao-thong")
    assert [p["title"] for p in found["results"]] == ["Tuyến xe buýt"]
    with pytest.raises(ckanapi.NotFound):
        ckan.action.group_show(id="khong-co")


def test_activity_lists(portal: CkanPortal) -> None:
    ckan = portal.anonymous
    activity = ckan.action.package_activity_list(id=portal.dataset.name)
    assert [a["data"]["action"] for a in activity] == ["approve", "submit", "upload", "create"]
    assert activity[-1]["activity_type"] == "new package"
    assert all(a["user_id"] is None for a in activity)  # the public does not see who
    recent = ckan.action.recently_changed_packages_activity_list(limit=2)
    assert [a["data"]["action"] for a in recent] == ["approve", "submit"]
    assert recent[0]["data"]["package"]["title"] == "Trạm dừng xe buýt giao thông"
    mine = portal.as_publisher.action.package_activity_list(id=portal.dataset.name)
    assert mine[-1]["user_id"] == portal.publisher.user_id


def test_drafts_are_invisible_to_the_public_and_other_organizations(portal: CkanPortal) -> None:
    svc = portal.services
    draft = make_dataset(svc, portal.publisher, _org_of(portal), title="Bản nháp nội bộ")
    stranger_org = make_org(svc)
    stranger = actor(svc, make_user(svc, stranger_org, Role.STEWARD))
    for client in (portal.anonymous, portal.client(portal.token_for(stranger))):
        with pytest.raises(ckanapi.NotFound):
            client.action.package_show(id=draft.name)
        with pytest.raises(ckanapi.NotFound):
            client.action.package_activity_list(id=draft.id)
        assert draft.name not in client.action.package_list()
    seen = portal.as_publisher.action.package_show(id=draft.name)
    assert seen["title"] == "Bản nháp nội bộ"
    assert (seen["state"], seen["private"], seen["lifecycle_state"]) == ("draft", True, "draft")
    assert portal.anonymous.action.package_search(q="ban nhap")["count"] == 0


def _org_of(portal: CkanPortal):
    return portal.services.accounts.get_organization(
        portal.anonymous.action.package_show(id=portal.dataset.name)["owner_org"]
    )


def test_unknown_action_and_get_on_write_action_are_bad_requests(portal: CkanPortal) -> None:
    unknown = requests.get(f"{portal.server.url}/api/action/user_delete_all", timeout=10)
    assert unknown.status_code == 400
    assert json.loads(unknown.text) == "Bad request - Action name not known: user_delete_all"
    get_write = requests.get(f"{portal.server.url}/api/action/package_create", timeout=10)
    assert get_write.status_code == 400 and "POST" in get_write.json()
    bad_json = requests.post(
        f"{portal.server.url}/api/action/package_show",
        data="{not json",
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert bad_json.status_code == 400 and "JSON Error" in bad_json.json()
    with pytest.raises(ckanapi.CKANAPIError):
        portal.anonymous.call_action("user_delete_all")


def test_not_found_error_shape(portal: CkanPortal) -> None:
    answer = requests.post(
        f"{portal.server.url}/api/action/package_show", json={"id": "khong-co"}, timeout=10
    )
    assert answer.status_code == 404
    body = answer.json()
    assert body["success"] is False and body["help"].startswith("http")
    assert body["error"]["__type"] == "Not Found Error"
    assert body["error"]["message"]  # in the caller's language
