"""A re-import never changes the access level a local publisher set (issue 18)."""

from __future__ import annotations

from datasets import DatasetMetadata
from publishers import Role
from search_index import SearchQuery
from tests.factories import actor, make_user
from tests.harvesters.conftest import csv_route, package, register, search_page
from tests.servers import ReplayServer

TABLE = "ma,ten_tram,so_cho\nT1,Trạm A,10\nT2,Trạm B,20\n"
SEARCH = "/api/action/package_search"
INSTRUCTIONS = "Liên hệ phòng Dữ liệu của Sở để được cấp quyền."


def test_reimport_keeps_the_local_access_level_and_instructions(hservices, org):
    with ReplayServer({}) as server:
        url = f"{server.url}/files/t.csv"
        server.routes[SEARCH] = search_page([package(1, url)])
        server.routes["/files/t.csv"] = csv_route(TABLE)
        register(hservices, "ckan-access", "ckan", server.url, org)
        assert hservices.harvester.run("ckan-access").counts()["created"] == 1
        [view] = hservices.catalog.iter_all()
        assert view.access_level == "public" and len(view.resources) == 1

        # The local publisher restricts the dataset; a steward approves the change.
        publisher = actor(hservices, make_user(hservices, org, Role.PUBLISHER))
        steward = actor(hservices, make_user(hservices, org, Role.STEWARD))
        hservices.editor.update_metadata(
            publisher,
            view.name,
            DatasetMetadata(
                title_vi=view.title,
                description_vi=view.description,
                license_id=view.license_id,
                access_level="restricted",
                access_instructions=INSTRUCTIONS,
            ),
            expected_version=None,
        )
        hservices.workflow.submit(publisher, view.name)
        hservices.workflow.approve(steward, view.name)
        assert hservices.catalog.get(view.name).access_level == "restricted"

        # The source changes the record: the harvest updates and approves it again.
        changed = package(1, url, modified="2026-03-03T00:00:00", title="Tên mới từ nguồn")
        server.routes[SEARCH] = search_page([changed])
        report = hservices.harvester.run("ckan-access")
        assert [i.outcome.value for i in report.items] == ["updated"], report.to_dict()

    after = hservices.catalog.get(view.name)
    assert after is not None
    assert after.title == "Tên mới từ nguồn"  # the source's change landed
    assert (after.access_level, after.access_instructions) == ("restricted", INSTRUCTIONS)
    assert after.resources == ()  # still a catalog record without files
    found = hservices.search.search(SearchQuery(filters={"access_level": ("restricted",)}))
    assert [hit.name for hit in found.hits] == [view.name]
