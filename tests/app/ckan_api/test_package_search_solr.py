"""``package_search`` reads CKAN's Solr syntax, through the real ``ckanapi`` client over HTTP.

The SQLite variant searches with Whoosh, the PostgreSQL variant (TEST_DATABASE_URL) with the
PostgreSQL search backend: every case runs on both.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import ckanapi
import pytest
import requests

from app.config import Settings
from app.services import Services
from datasets.themes import save_theme
from publishers import Organization, Role, UserInfo
from search_index import PostgresIndex, WhooshIndex
from tests.factories import SAMPLE_CSV, actor, make_dataset, make_org, make_user, upload_bytes
from tests.servers import LiveServer


@pytest.fixture
def settings(settings: Settings, database_url: str) -> Iterator[Settings]:
    """The PostgreSQL variant also keeps its search index in PostgreSQL."""
    if not database_url.startswith("postgresql"):
        yield settings
        return
    separator = "&" if "?" in database_url else "?"
    url = f"{database_url}{separator}schema=test_ckan_search_{uuid.uuid4().hex[:12]}"
    yield dataclasses.replace(settings, search_url=url)
    index = PostgresIndex.from_url(url)
    index.drop()
    index.close()


@dataclass
class Catalog:
    services: Services
    server: LiveServer
    orgs: dict[str, Organization]
    names: dict[str, str]  # short key → dataset name
    ids: dict[str, str]  # short key → dataset id

    @property
    def ckan(self) -> ckanapi.RemoteCKAN:
        return ckanapi.RemoteCKAN(self.server.url)

    def search(self, **params: object) -> list[str]:
        """Return the short keys of the results, in the order given."""
        found = self.ckan.action.package_search(rows=100, **params)
        back = {name: key for key, name in self.names.items()}
        return [back[p["name"]] for p in found["results"]]

    def get(self, params: dict[str, str]) -> requests.Response:
        return _get(self.server, params)


def _get(server: LiveServer, params: dict[str, str]) -> requests.Response:
    return requests.get(
        f"{server.url}/api/3/action/package_search",
        params=params,
        cookies={"lang": "en"},
        timeout=10,
    )


@pytest.fixture
def catalog(services: Services, live_server: LiveServer, database_url: str) -> Catalog:
    backend = PostgresIndex if database_url.startswith("postgresql") else WhooshIndex
    assert isinstance(services.search, backend)
    admin = actor(services, make_user(services, sysadmin=True))
    save_theme(services.sessions, admin, "giao-thong", "Giao thông", "Transport", "TRAN", 1)
    save_theme(services.sessions, admin, "moi-truong", "Môi trường", "Environment", "ENVI", 2)
    orgs = {key: make_org(services, f"so-{key}") for key in ("gtvt", "tnmt", "yte")}
    rows = [
        ("bus", "gtvt", "Tuyến xe buýt", ("xe buýt",), ("giao-thong",), "public"),
        ("water", "tnmt", "Chất lượng nước", ("nước",), ("moi-truong",), "restricted"),
        ("waste", "tnmt", "Nước thải và xe buýt điện", (), ("moi-truong", "giao-thong"), "public"),
        ("hospital", "yte", "Bệnh viện công", ("y tế",), (), "public"),
    ]
    names: dict[str, str] = {}
    ids: dict[str, str] = {}
    for key, org_key, title, tags, themes, level in rows:
        org = orgs[org_key]
        publisher = actor(services, make_user(services, org, Role.PUBLISHER))
        steward = actor(services, make_user(services, org, Role.STEWARD))
        dataset = make_dataset(
            services, publisher, org, title=title, tags=tags, themes=themes, access_level=level
        )
        upload_bytes(services, publisher, dataset.name, SAMPLE_CSV)
        services.workflow.submit(publisher, dataset.name)
        services.workflow.approve(steward, dataset.name)
        names[key], ids[key] = dataset.name, dataset.id
    return Catalog(services, live_server, orgs, names, ids)


def test_fielded_q_boolean_operators_and_phrases(catalog: Catalog) -> None:
    search = catalog.search
    # Before the Solr parser these answered 0 results with HTTP 200.
    assert search(q=f"name:{catalog.names['water']}") == ["water"]
    assert search(q=f"id:{catalog.ids['hospital']}") == ["hospital"]
    assert sorted(search(q="buýt OR bệnh")) == ["bus", "hospital", "waste"]
    assert sorted(search(q="title:nuoc")) == ["waste", "water"]  # folded, title only
    assert sorted(search(q="text:buyt")) == ["bus", "waste"]
    assert search(q="nước AND NOT thải") == ["water"]
    assert search(q="nước -thải") == ["water"]
    assert search(q='"xe buýt điện"') == ["waste"]
    assert sorted(search(q='"xe buýt"')) == ["bus", "waste"]
    assert search(q='"buýt xe"') == []
    assert search(q='tags:"y tế"') == ["hospital"]
    assert sorted(search(q="organization:so-tnmt")) == ["waste", "water"]
    assert sorted(search(q="(buýt OR bệnh) -organization:so-gtvt")) == ["hospital", "waste"]
    assert sorted(search(q="groups:giao-thong")) == ["bus", "waste"]
    # The restricted dataset lists no resources, so no format either.
    assert sorted(search(q="res_format:CSV license_id:cc-by-4.0")) == ["bus", "hospital", "waste"]
    assert search(q="capacity:private") == ["water"]
    # An unknown field in q is plain text, as edismax reads it: "giờ:mở" finds nothing here.
    assert search(q="giờ:mở") == []


def test_ckanext_harvest_gather_query_shapes(catalog: Catalog) -> None:
    """The requests ckanext-harvest's CKAN harvester sends (see conformance/ckan-api)."""
    both = "organization:so-gtvt OR organization:so-tnmt"
    page = catalog.get({"rows": "100", "start": "0", "sort": "id asc", "fq": both})
    assert page.status_code == 200  # was a 400
    results = page.json()["result"]["results"]
    assert sorted(p["name"] for p in results) == sorted(
        catalog.names[k] for k in ("bus", "water", "waste")
    )
    assert [p["id"] for p in results] == sorted(p["id"] for p in results)  # id asc
    after = catalog.get({"rows": "100", "start": "100", "sort": "id asc", "fq": both})
    assert after.json()["result"]["results"] == []  # paging ends with an empty page
    excluded = catalog.get({"fq": "-organization:so-gtvt -organization:so-tnmt", "rows": "100"})
    assert [p["name"] for p in excluded.json()["result"]["results"]] == [catalog.names["hospital"]]
    groups = f"{both} groups:giao-thong OR groups:moi-truong"
    assert sorted(catalog.search(fq=groups, sort="id asc")) == ["bus", "waste", "water"]
    assert catalog.search(fq=f"{both} -groups:giao-thong") == ["water"]
    # The incremental harvest: the previous job's start minus an hour, isoformat + "Z".
    since = (datetime.now(UTC) - timedelta(hours=1)).replace(tzinfo=None).isoformat()
    incremental = f"{both} metadata_modified:[{since}Z TO *]"
    assert len(catalog.search(fq=incremental, sort="id asc")) == 3
    later = (datetime.now(UTC) + timedelta(hours=1)).replace(tzinfo=None).isoformat()
    assert catalog.search(fq=f"{both} metadata_modified:[{later}Z TO *]") == []
    assert len(catalog.search(fq="metadata_modified:[NOW-1DAY TO NOW]")) == 4
    assert catalog.search(fq="metadata_created:{* TO NOW-1DAY}") == []
    # fq_list: every entry must match, with fq too.
    listed = catalog.search(fq_list=[both, 'tags:nước OR tags:"xe buýt"'], fq="-name:x")
    assert sorted(listed) == ["bus", "water"]
    assert catalog.get({"fq_list": '["organization:so-yte"]'}).json()["result"]["count"] == 1


_SORTS = [
    ("metadata_created asc", ["bus", "water", "waste", "hospital"]),
    ("metadata_created desc", ["hospital", "waste", "water", "bus"]),
    ("metadata_modified asc", ["bus", "water", "waste", "hospital"]),
    ("title_string asc", ["hospital", "water", "waste", "bus"]),
    ("title_string desc", ["bus", "waste", "water", "hospital"]),
    ("score desc, metadata_modified desc", ["hospital", "waste", "water", "bus"]),
    ("metadata_modified desc, name asc", ["hospital", "waste", "water", "bus"]),
]


def test_every_ckan_sort(catalog: Catalog) -> None:
    for sort, expected in _SORTS:
        assert (sort, catalog.search(sort=sort)) == (sort, expected)


def test_sort_by_name_and_score(catalog: Catalog) -> None:
    by_name = sorted(catalog.names, key=lambda k: catalog.names[k])
    assert catalog.search(sort="name asc") == by_name
    assert catalog.search(sort="name desc") == by_name[::-1]
    # "buýt" in a title and a tag outweighs it in a title only.
    assert catalog.search(q="buýt", sort="score desc, metadata_modified desc") == ["bus", "waste"]


def test_fl_facet_switches_and_counts(catalog: Catalog) -> None:
    ckan = catalog.ckan
    named = ckan.action.package_search(q="nước", fl="name,title", sort="name asc")
    assert named["results"] == sorted(
        [
            {"name": catalog.names["water"], "title": "Chất lượng nước"},
            {"name": catalog.names["waste"], "title": "Nước thải và xe buýt điện"},
        ],
        key=lambda p: p["name"],
    )
    only_ids = ckan.action.package_search(q="bệnh", fl="id")["results"]
    assert only_ids == [{"id": catalog.ids["hospital"]}]
    off = ckan.action.package_search(facet="false")
    assert (off["facets"], off["search_facets"], off["count"]) == ({}, {}, 4)
    counts = ckan.action.package_search(
        **{"facet.field": '["organization", "tags"]', "facet.mincount": 2}
    )
    assert counts["facets"] == {"organization": {"so-tnmt": 2}, "tags": {}}
    limited = ckan.action.package_search(**{"facet.field": ["groups"], "facet.limit": 1})
    assert limited["facets"] == {"groups": {"giao-thong": 2}} or limited["facets"] == {
        "groups": {"moi-truong": 2}
    }
    assert len(ckan.action.package_search(rows=5000)["results"]) == 4  # clamped, not refused


_REFUSED = [
    ({"q": "{!func}sum(1,2)"}, "local parameters"),
    ({"q": "name:buyt~2"}, "fuzzy"),
    ({"q": "title:buyt^2"}, "boosts"),
    ({"q": "name:tuyen*"}, "wildcards"),
    ({"q": "(buýt OR nước"}, "unbalanced '('"),
    ({"q": '"xe buýt'}, "unbalanced quote"),
    ({"q": "buýt OR"}, "the query ends"),
    ({"fq": "owner:someone"}, "unknown field 'owner'"),
    ({"fq": "tags:[a TO b]"}, "ranges work on"),
    ({"fq": "metadata_modified:[yesterday TO *]"}, "malformed date"),
    ({"fq": " ".join(["tags:a"] * 51)}, "at most 50 clauses"),
    ({"fq": "(" * 9 + "tags:a" + ")" * 9}, "nested parentheses"),
    ({"fq": "tags:a " * 200}, "at most 1000 characters"),
    ({"sort": "name sideways"}, "sort"),
    ({"facet": "maybe"}, "facet: must be true or false"),
    ({"include_private": "often"}, "include_private: must be true or false"),
]


def test_refused_syntax_is_a_clear_search_query_error(services: Services, live_server) -> None:
    for params, detail in _REFUSED:
        answer = _get(live_server, params)
        assert answer.status_code == 400, params
        error = answer.json()["error"]
        assert error["__type"] == "Search Query Error"
        assert error["message"].startswith("Search Query is invalid: "), params
        assert detail in error["message"], (params, error["message"])
        with pytest.raises(ckanapi.SearchQueryError):
            ckanapi.RemoteCKAN(live_server.url).action.package_search(**params)


def test_fl_names_only_package_keys(catalog: Catalog) -> None:
    answer = catalog.get({"fl": "name,secret"})
    assert answer.status_code == 400
    assert "fl: unknown field 'secret'" in answer.json()["error"]["message"]


def test_drafts_are_listed_to_members_who_ask_and_to_nobody_else(catalog: Catalog) -> None:
    services = catalog.services
    org = catalog.orgs["gtvt"]
    author = make_user(services, org, Role.PUBLISHER)
    colleague = make_user(services, org, Role.PUBLISHER)
    outsider = make_user(services, catalog.orgs["yte"], Role.STEWARD)
    admin = make_user(services, sysadmin=True)
    draft = make_dataset(services, actor(services, author), org, title="Bản nháp xe buýt")

    def listed(who: UserInfo | None, **flags: object) -> list[str]:
        token = services.tokens.create(who.id, "script") if who is not None else None
        client = ckanapi.RemoteCKAN(catalog.server.url, apikey=token)
        found = client.action.package_search(q="buýt", rows=100, **flags)
        names = [p["name"] for p in found["results"]]
        assert found["count"] == len(names)
        return names

    both = {"include_private": True, "include_drafts": True}
    published = [catalog.names["bus"], catalog.names["waste"]]
    assert sorted(listed(None, **both)) == sorted(published)  # anonymous: never
    assert sorted(listed(author)) == sorted(published)  # not asked for
    mine = listed(author, include_drafts=True)
    assert mine[0] == draft.name and sorted(mine[1:]) == sorted(published)
    assert draft.name not in listed(colleague, include_drafts=True)  # someone else's draft
    assert listed(colleague, **both)[0] == draft.name  # the organization's private drafts
    assert draft.name not in listed(outsider, **both)
    assert listed(admin, **both)[0] == draft.name
    # The query applies to drafts too, and paging runs through drafts then published ones.
    token = services.tokens.create(author.id, "script")
    client = ckanapi.RemoteCKAN(catalog.server.url, apikey=token)
    assert client.action.package_search(q="bệnh", include_drafts=True)["count"] == 1
    first = client.action.package_search(q="buýt", include_drafts=True, rows=1, fl="name,state")
    assert first["results"] == [{"name": draft.name, "state": "draft"}] and first["count"] == 3
    second = client.action.package_search(q="buýt", include_drafts=True, rows=2, start=1)
    assert sorted(p["name"] for p in second["results"]) == sorted(published)
    # A published dataset at a non-public level is listed for everyone (its metadata is
    # public), marked private, without resources.
    [water] = catalog.ckan.action.package_search(q="capacity:private")["results"]
    assert (water["name"], water["private"], water["resources"]) == (
        catalog.names["water"],
        True,
        [],
    )
