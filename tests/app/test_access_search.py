"""Search by access level (issue 18): the index, the REST and CKAN searches, start-up.

A restricted dataset is found by its title, description and publisher like any other, and
filtered or counted by its level; nothing of its rows (values, formats) reaches the index.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from whoosh import index as whoosh_index

from publishers import Role
from search_index import SearchQuery
from search_index.whoosh import INDEX_NAME, WhooshIndex
from search_index.whoosh_fields import build_schema
from tests.factories import actor, make_dataset, make_org, make_user, publish_sample, upload_bytes

LEVELS = ("public", "registered", "agencies", "restricted", "catalog-only")
# A value that appears only in the restricted dataset's rows.
ROWS = "ma_dn,ten_dn\nDN0001,Công ty Phượng Hoàng Lửa\nDN0002,Công ty Sông Bé\n".encode()


def publish_restricted(services) -> str:
    """Publish a restricted dataset with a table; return its name."""
    org = make_org(services, "so-ke-hoach-dau-tu", "Sở Kế hoạch và Đầu tư")
    publisher = actor(services, make_user(services, org, Role.PUBLISHER))
    steward = actor(services, make_user(services, org, Role.STEWARD))
    dataset = make_dataset(
        services,
        publisher,
        org,
        title="Cơ sở dữ liệu doanh nghiệp",
        description_en="Business registrations of the enterprises of the city.",
        access_level="restricted",
        access_instructions="Gửi yêu cầu kèm mục đích sử dụng.",
    )
    upload_bytes(services, publisher, dataset.name, ROWS, "doanh_nghiep.csv")
    services.workflow.submit(publisher, dataset.name)
    services.workflow.approve(steward, dataset.name)
    return dataset.name


def names(services, query: SearchQuery) -> list[str]:
    return [hit.name for hit in services.search.search(query).hits]


def test_restricted_metadata_is_found_and_its_rows_are_not(services) -> None:
    public, *_ = publish_sample(services, title="Trạm dừng xe buýt")
    name = publish_restricted(services)
    assert names(services, SearchQuery(text="doanh nghiep")) == [name]
    assert names(services, SearchQuery(text="business registrations")) == [name]
    assert names(services, SearchQuery(filters={"organization": ("so-ke-hoach-dau-tu",)})) == [name]
    for text in ("Phượng Hoàng Lửa", "DN0001", "song be"):
        assert names(services, SearchQuery(text=text)) == []
    page = services.search.search(SearchQuery())
    assert page.facets["access_level"] == (("public", 1), ("restricted", 1))
    assert page.facets["res_format"] == (("CSV", 1),)  # the public dataset's only
    restricted = SearchQuery(filters={"access_level": ("restricted",)})
    assert names(services, restricted) == [name]
    assert [v.name for v in services.catalog.search(restricted).views] == [name]
    assert names(services, SearchQuery(exclude={"access_level": ("restricted",)})) == [public.name]


def test_rest_search_filters_and_counts_access_levels(client, services) -> None:
    public, *_ = publish_sample(services, title="Trạm dừng xe buýt")
    name = publish_restricted(services)
    everything = client.get("/api/v1/datasets").get_json()
    assert everything["total"] == 2
    assert everything["facets"] == {
        "access_level": {
            "public": 1,
            "registered": 0,
            "agencies": 0,
            "restricted": 1,
            "catalog-only": 0,
        },
        "place": {},  # neither dataset names a unit of the places catalogue
    }
    answer = client.get("/api/v1/datasets?access_level=restricted").get_json()
    assert [item["name"] for item in answer["items"]] == [name]
    assert answer["total"] == 1
    assert answer["facets"]["access_level"]["restricted"] == 1
    assert answer["facets"]["access_level"]["public"] == 0
    found = client.get("/api/v1/datasets?access_level=public&q=xe+buyt").get_json()
    assert [item["name"] for item in found["items"]] == [public.name]
    client.set_cookie("lang", "en")
    bad = client.get("/api/v1/datasets?access_level=secret")
    assert bad.status_code == 400
    assert "access_level must be one of" in bad.get_json()["error"]["message"]
    page = client.get("/dataset?access_level=restricted").get_data(as_text=True)
    assert "Cơ sở dữ liệu doanh nghiệp" in page and "Trạm dừng xe buýt" not in page
    doc = client.get("/api/v1/openapi.json").get_json()
    parameters = doc["paths"]["/datasets"]["get"]["parameters"]
    level = next(p for p in parameters if p["name"] == "access_level")
    assert level["schema"]["enum"] == list(LEVELS)


def test_ckan_package_search_filters_and_facets_access_level(client, services) -> None:
    public, *_ = publish_sample(services, title="Trạm dừng xe buýt")
    name = publish_restricted(services)
    search = "/api/3/action/package_search"
    answer = client.get(search, query_string={"fq": "access_level:restricted"}).get_json()
    assert answer["success"] is True
    assert answer["result"]["count"] == 1
    assert [p["name"] for p in answer["result"]["results"]] == [name]
    assert answer["result"]["results"][0]["resources"] == []
    negated = client.get(search, query_string={"fq": "-access_level:restricted"}).get_json()
    assert [p["name"] for p in negated["result"]["results"]] == [public.name]
    faceted = client.get(
        search, query_string={"facet.field": json.dumps(["access_level"]), "rows": 0}
    ).get_json()["result"]
    assert faceted["facets"] == {"access_level": {"public": 1, "restricted": 1}}
    items = faceted["search_facets"]["access_level"]["items"]
    assert {(i["name"], i["count"]) for i in items} == {("public", 1), ("restricted", 1)}


def test_start_up_rebuilds_an_index_built_without_the_field(services, settings) -> None:
    from app.startup import prepare

    name = publish_restricted(services)
    folder = Path(settings.data_dir).resolve() / "index"
    shutil.rmtree(folder)
    folder.mkdir()
    schema = build_schema()
    schema.remove("access_level")  # what the previous version wrote
    writer = whoosh_index.create_in(folder, schema, INDEX_NAME).writer()
    writer.add_document(id="old", name="old", title_vi="Cũ", title_f="Cũ")
    writer.commit()
    assert WhooshIndex(folder).outdated() is True

    prepare(settings)

    index = WhooshIndex(folder)
    try:
        assert index.outdated() is False
        found = index.search(SearchQuery(filters={"access_level": ("restricted",)}))
        assert [hit.name for hit in found.hits] == [name]
        assert index.count() == 1
    finally:
        index.close()
