"""Access levels through the CKAN API (issue 18): ``access_level`` and ``private`` on every
package, the caller's projection in ``package_show`` (logged), no resources of non-public
datasets in ``package_search``, and ``access_level`` set by the write actions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import ckanapi
import pytest

from app.services import Services
from publishers import Actor
from tests.datasets.test_sharing import Portal
from tests.factories import publish_sample
from tests.servers import LiveServer


class Ckan:
    """The restricted portal of the domain tests, served over HTTP, with CKAN clients."""

    def __init__(self, services: Services, server: LiveServer) -> None:
        self.portal = Portal(services)
        self.services, self.server = services, server

    def client(self, who: Actor | None = None) -> ckanapi.RemoteCKAN:
        token = self.services.tokens.create(who.user_id, "ckan") if who and who.user_id else None
        return ckanapi.RemoteCKAN(self.server.url, apikey=token)

    def grant(self, who: Actor) -> str:
        request = self.services.sharing.request_access(who, self.portal.name, purpose="Đối soát")
        expires = datetime.now(UTC) + timedelta(days=7)
        return self.services.sharing.approve(self.portal.steward, request.id, expires=expires).id

    def log(self) -> list[tuple[str | None, str, str | None]]:
        entries = self.services.sharing.access_log(self.portal.steward, self.portal.name)
        return [(e.user, e.surface, e.grant_id) for e in entries]


@pytest.fixture
def ckan(services: Services, live_server: LiveServer) -> Ckan:
    return Ckan(services, live_server)


def test_package_show_gives_each_caller_their_projection(ckan: Ckan) -> None:
    portal, services = ckan.portal, ckan.services
    public, _rid, _pub, _st = publish_sample(services)
    anonymous = ckan.client()
    open_package = anonymous.action.package_show(id=public.name)
    assert (open_package["access_level"], open_package["private"]) == ("public", False)
    assert open_package["resources"][0]["datastore_active"] is True
    for caller in (anonymous, ckan.client(portal.business), ckan.client(portal.agency)):
        package = caller.action.package_show(id=portal.name)
        assert (package["access_level"], package["private"]) == ("restricted", True)
        assert package["access_instructions"] == "Gửi yêu cầu kèm mục đích sử dụng."
        assert package["resources"] == [] and package["num_resources"] == 0
    assert ckan.log() == []
    grant_id = ckan.grant(portal.business)
    holder = ckan.client(portal.business)
    [resource] = holder.action.package_show(id=portal.name)["resources"]
    assert resource["id"] == portal.resource_id and resource["projection"] == "agency"
    assert resource["datastore_active"] is False  # only public tables are in the datastore
    assert resource["sha256"] is None  # the agency file is not the public one
    user = services.accounts.find_user(portal.business.user_id or "")
    assert user is not None
    assert ckan.log() == [(user.name, "ckan", grant_id)]
    # Search never lists the resources of a non-public dataset, whoever asks.
    found = holder.action.package_search(q="hộ gia đình")
    assert [(p["name"], p["private"], p["resources"]) for p in found["results"]] == [
        (portal.name, True, [])
    ]
    listed = holder.action.current_package_list_with_resources()
    assert {p["name"]: len(p["resources"]) for p in listed} == {portal.name: 0, public.name: 1}
    assert len(ckan.log()) == 1  # searches and lists read no data
    services.sharing.revoke(portal.steward, grant_id)
    assert holder.action.package_show(id=portal.name)["resources"] == []


def test_write_actions_set_the_access_level(ckan: Ckan) -> None:
    portal = ckan.portal
    ckan_publisher = ckan.client(portal.publisher)
    created = ckan_publisher.action.package_create(
        name="danh-ba-can-bo",
        title="Danh bạ cán bộ",
        owner_org=portal.org.name,
        access_level="agencies",
        access_instructions="Dành cho cán bộ các sở.",
    )
    assert (created["access_level"], created["private"]) == ("agencies", True)
    assert created["access_instructions"] == "Dành cho cán bộ các sở."
    patched = ckan_publisher.action.package_patch(id="danh-ba-can-bo", title="Danh bạ")
    assert patched["access_level"] == "agencies"  # kept
    updated = ckan_publisher.action.package_update(id="danh-ba-can-bo", title="Danh bạ cán bộ")
    assert updated["access_level"] == "agencies"  # never opened up by omission
    with pytest.raises(ckanapi.ValidationError) as refused:
        ckan_publisher.action.package_patch(id="danh-ba-can-bo", access_level="bi-mat")
    assert "access_level" in refused.value.error_dict
    # On a published dataset the new level waits for review; the live one stays.
    pending = ckan_publisher.action.package_patch(id=portal.name, access_level="public")
    assert (pending["access_level"], pending["has_pending_revision"]) == ("public", True)
    assert ckan.client().action.package_show(id=portal.name)["access_level"] == "restricted"
