"""The permission matrix (issue 18): access levels × audiences × surfaces.

For every surface (a row of ``SURFACES``: a function that fetches what the surface serves
to one audience for the dataset at one level) and every cell of ``EXPECTED``, the test
asserts what was served: the public projection (``PUBLIC``), the agency projection
(``AGENCY``) or nothing of the data (``NOTHING``). Files and rows are compared whole with the
files built from the source rows (``tests.matrix_portal``); pages and records that only
*list* resources must list them (``LISTED``) exactly when data is readable. On every cell,
whatever the surface: no citizen ID or phone as uploaded, no agency-only value (a name, a
hashed ID, a masked phone) unless the cell expects the agency projection, no row at all
where nothing is expected.

``NOT_YET_SERVED`` names the surfaces that do not yet serve non-public data to the readers
allowed it: for those, such a cell may still serve nothing, and must never serve anything
else. The lead empties the set once the surfaces are merged. Every "nothing" cell holds now.

The portal is built once per module and database (SQLite, and PostgreSQL with
``TEST_DATABASE_URL``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from datasets.access import ACCESS_LEVELS
from datasets.queries import get_dataset
from datasets.sharing_model import AccessLogEntry
from tests.conftest import BACKENDS, copy_sqlite
from tests.matrix_portal import (
    AUDIENCES,
    HEADER,
    PUBLIC_COLUMNS,
    Level,
    MatrixPortal,
    build_portal,
)

PUBLIC, AGENCY, NOTHING, LISTED = "public", "agency", "nothing", "listed"
P, A, N = PUBLIC, AGENCY, NOTHING
# What each audience reads of the dataset at each level (columns in ``AUDIENCES`` order).
EXPECTED: dict[str, tuple[str, ...]] = {
    #               anonymous registered other-agency grant-holder expired steward sysadmin
    "public": (P, P, P, P, P, P, P),
    "registered": (N, P, P, P, P, P, P),
    "agencies": (N, N, A, A, N, A, A),
    "restricted": (N, N, N, A, N, A, N),
    "catalog-only": (N, N, N, N, N, N, N),
}
# Surfaces not yet serving non-public data to the readers allowed it: none any more. A new
# surface may be listed here while it is built, never left here.
NOT_YET_SERVED: set[str] = set()


@dataclass(frozen=True)
class Served:
    """What a surface served: its kind of content (``PUBLIC``…``LISTED``) and its text."""

    got: str
    text: str = ""


@dataclass(frozen=True)
class Surface:
    """One row of the matrix."""

    name: str
    fetch: Callable[[MatrixPortal, str, Level], Served]
    # "data": serves the caller's projection; "decision": says which one, reads nothing;
    # "catalog": a public feed, the same for everyone (data only of public datasets);
    # "metadata": never any data.
    kind: str = "data"
    lists: bool = False  # lists resources rather than serving rows
    # Members and sysadmins (who may read drafts) get the editing shape, which lists the
    # resources (their metadata, never rows) whatever the level.
    member_view: bool = False
    # Members always get the editing shape here (not a reader's projection, so not logged);
    # CKAN's package_show gives it only while a change is pending.
    members_unlogged: bool = False

    def projection(self, level: str, audience: str) -> str:
        """The projection ``audience`` reads of the dataset at ``level`` on this surface."""
        if self.kind == "metadata":
            return NOTHING
        if self.kind == "catalog":
            return PUBLIC if level == "public" else NOTHING
        return EXPECTED[level][AUDIENCES.index(audience)]

    def expected(self, level: str, audience: str) -> str:
        """What the surface serves: the projection, or ``LISTED`` for a listing of it."""
        want = self.projection(level, audience)
        return LISTED if self.lists and want != NOTHING else want


# --- how each surface is read ---------------------------------------------------------------


def _file(lv: Level, data: bytes | None) -> Served:
    if data is None:
        return Served(NOTHING)
    got = {lv.public_csv: PUBLIC, lv.agency_csv: AGENCY}.get(data, "unexpected file")
    return Served(got, data.decode("utf-8", "replace"))


def _rows(lv: Level, fields: list[str], records: list[dict[str, Any]], raw: str) -> Served:
    names = [f for f in fields if f not in ("_id", "_full_text")]  # the datastore's own
    rows = [names, *([str(r.get(n)) for n in names] for r in records)]
    got = {PUBLIC: lv.public_rows, AGENCY: lv.agency_rows}
    return Served(next((k for k, v in got.items() if v == rows), f"unexpected rows {rows}"), raw)


def _refused(response: Any) -> Served:
    assert response.status_code in (401, 403, 404, 409), response.status_code
    return Served(NOTHING, response.get_data(as_text=True))


def _first_file(p: MatrixPortal, resources: tuple[Any, ...]) -> bytes | None:
    if not resources:
        return None
    resource = resources[0]
    if resource.agency_key:
        with p.services.vault.decrypted(resource.agency_key, ".csv") as path:
            return Path(path).read_bytes()
    path = p.services.public_store.local_path(resource.sha256)
    assert path is not None
    return Path(path).read_bytes()


def domain_catalog(p: MatrixPortal, audience: str, lv: Level) -> Served:
    record = p.services.catalog.get(lv.name)
    assert record is not None and (record.title, record.access_level) == (lv.title, lv.level)
    return _file(lv, _first_file(p, record.resources))


def domain_reader(p: MatrixPortal, audience: str, lv: Level) -> Served:
    """``services.readers.view`` → the file it points to, logged as a data surface does."""
    actor = p.actor(audience)
    view = p.services.readers.view(actor, p.services.catalog.get(lv.name))
    data = _first_file(p, view.dataset.resources)
    if data is not None:
        rows = data.count(b"\n") - 1
        p.services.readers.record(
            actor, view, surface="matrix", resource_id=lv.resource_id, rows=rows
        )
    return _file(lv, data)


def domain_access(p: MatrixPortal, audience: str, lv: Level) -> Served:
    with p.services.sessions() as session:
        dataset = get_dataset(session, lv.name)
        access = p.services.sharing.access_for(session, p.actor(audience), dataset)
    return Served({"none": NOTHING}.get(access.projection.value, access.projection.value))


def page(p: MatrixPortal, audience: str, lv: Level) -> Served:
    response = p.clients[audience].get(f"/dataset/{lv.name}")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and lv.title in body
    if any(v in body for v in lv.agency_only()):
        return Served(AGENCY, body)
    return Served(PUBLIC if any(m in body for m in lv.row_markers()) else NOTHING, body)


def download(p: MatrixPortal, audience: str, lv: Level) -> Served:
    url = f"/dataset/{lv.name}/resource/{lv.resource_id}/download/{lv.filename}"
    response = p.clients[audience].get(url, follow_redirects=True)
    return _file(lv, response.data) if response.status_code == 200 else _refused(response)


def rest_dataset(p: MatrixPortal, audience: str, lv: Level) -> Served:
    response = p.clients[audience].get(f"/api/v1/datasets/{lv.name}", headers=p.headers(audience))
    shape = response.get_json()
    assert response.status_code == 200 and shape["name"] == lv.name
    listed = any(r["id"] == lv.resource_id for r in shape["resources"])
    return Served(LISTED if listed else NOTHING, response.get_data(as_text=True))


def rest_records(p: MatrixPortal, audience: str, lv: Level) -> Served:
    url = f"/api/v1/datasets/{lv.name}/resources/{lv.resource_id}/records?_limit=100"
    response = p.clients[audience].get(url, headers=p.headers(audience))
    if response.status_code != 200:
        return _refused(response)
    doc = response.get_json()
    fields = [f["name"] for f in doc["fields"]]
    return _rows(lv, fields, doc["items"], response.get_data(as_text=True))


def rest_records_aggregate(p: MatrixPortal, audience: str, lv: Level) -> Served:
    """Groups by the household code with the maximum of every other column (issue 23).

    Each group is one row, so the answer is the rows the caller's projection holds, and
    must be exactly those. The agency columns are asked first; a projection without them
    answers 400 (unknown column, nothing logged) and the public columns are asked then.
    """
    url = f"/api/v1/datasets/{lv.name}/resources/{lv.resource_id}/records"
    for columns in (HEADER, PUBLIC_COLUMNS):
        query = f"?_group={columns[0]}&_max={','.join(columns[1:])}&_limit=100"
        response = p.clients[audience].get(url + query, headers=p.headers(audience))
        if response.status_code != 400:
            break
    if response.status_code != 200:
        return _refused(response)
    items = response.get_json()["items"]
    rows = sorted([str(r[columns[0]]), *(str(r[f"max_{c}"]) for c in columns[1:])] for r in items)
    got = {PUBLIC: lv.public_rows, AGENCY: lv.agency_rows}
    found = next((k for k, v in got.items() if v[0] == columns and sorted(v[1:]) == rows), None)
    return Served(found or f"unexpected groups {rows}", response.get_data(as_text=True))


def _ckan(p: MatrixPortal, audience: str, action: str, **params: str) -> Any:
    return p.clients[audience].get(
        f"/api/3/action/{action}", query_string=params, headers=p.headers(audience)
    )


def ckan_package_show(p: MatrixPortal, audience: str, lv: Level) -> Served:
    response = _ckan(p, audience, "package_show", id=lv.name)
    package = response.get_json()["result"]
    assert response.status_code == 200 and package["name"] == lv.name
    listed = any(r["id"] == lv.resource_id for r in package["resources"])
    return Served(LISTED if listed else NOTHING, response.get_data(as_text=True))


def ckan_datastore_search(p: MatrixPortal, audience: str, lv: Level) -> Served:
    response = _ckan(p, audience, "datastore_search", resource_id=lv.resource_id, limit="100")
    if response.status_code != 200:
        return _refused(response)
    result = response.get_json()["result"]
    fields = [f["id"] for f in result["fields"]]
    return _rows(lv, fields, result["records"], response.get_data(as_text=True))


def ckan_datastore_info(p: MatrixPortal, audience: str, lv: Level) -> Served:
    response = _ckan(p, audience, "datastore_info", id=lv.resource_id)
    if response.status_code != 200:
        return _refused(response)
    assert response.get_json()["result"]["meta"]["count"] == 3
    return Served(LISTED, response.get_data(as_text=True))


def ckan_resource_search(p: MatrixPortal, audience: str, lv: Level) -> Served:
    response = _ckan(p, audience, "resource_search", query=f"id:{lv.resource_id}")
    assert response.status_code == 200
    found = [r["id"] for r in response.get_json()["result"]["results"]]
    return Served(LISTED if found == [lv.resource_id] else NOTHING, response.get_data(as_text=True))


def ckan_datastore_search_sql(p: MatrixPortal, audience: str, lv: Level) -> Served:
    sql = f'SELECT * FROM "{lv.resource_id}" ORDER BY "ma_ho"'
    response = _ckan(p, audience, "datastore_search_sql", sql=sql)
    if response.status_code != 200:
        return _refused(response)
    result = response.get_json()["result"]
    fields = [f["id"] for f in result["fields"]]
    return _rows(lv, fields, result["records"], response.get_data(as_text=True))


def dcat(p: MatrixPortal, audience: str, lv: Level) -> Served:
    response = p.clients[audience].get(f"/dataset/{lv.name}.ttl")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and lv.title in body
    return Served(LISTED if lv.resource_id in body else NOTHING, body)


def data_json(p: MatrixPortal, audience: str, lv: Level) -> Served:
    doc = p.clients[audience].get("/data.json").get_json()
    entry = next(d for d in doc["dataset"] if d["title"] == lv.title)
    body = json.dumps(entry, ensure_ascii=False)
    return Served(LISTED if lv.resource_id in body else NOTHING, body)


def search(p: MatrixPortal, audience: str, lv: Level) -> Served:
    response = p.clients[audience].get("/dataset", query_string={"q": lv.title})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and lv.title in body  # findable at every level
    if any(v in body for v in lv.agency_only()):
        return Served(AGENCY, body)
    return Served(PUBLIC if any(m in body for m in lv.row_markers()) else NOTHING, body)


SURFACES = (
    Surface("domain_catalog", domain_catalog, kind="catalog"),
    Surface("domain_reader", domain_reader),
    Surface("domain_access", domain_access, kind="decision"),
    Surface("page", page),
    Surface("download", download),
    Surface("rest_dataset", rest_dataset, lists=True, member_view=True, members_unlogged=True),
    Surface("rest_records", rest_records),
    Surface("rest_records_aggregate", rest_records_aggregate),
    Surface("ckan_package_show", ckan_package_show, lists=True, member_view=True),
    Surface("ckan_datastore_search", ckan_datastore_search),
    Surface("ckan_datastore_search_sql", ckan_datastore_search_sql, kind="catalog"),
    Surface("ckan_datastore_info", ckan_datastore_info, lists=True),
    Surface("ckan_resource_search", ckan_resource_search, kind="catalog", lists=True),
    Surface("dcat", dcat, kind="catalog", lists=True),
    Surface("data_json", data_json, kind="catalog", lists=True),
    Surface("search", search, kind="metadata"),
)
BY_NAME = {s.name: s for s in SURFACES}


def problems(surface: Surface, lv: Level, audience: str, served: Served) -> list[str]:
    """What is wrong with what ``surface`` served ``audience`` of ``lv`` ([] if right)."""
    want = surface.expected(lv.level, audience)
    out = [f"a value as uploaded: {v}" for v in lv.never() if v in served.text]
    if surface.projection(lv.level, audience) != AGENCY:
        out += [f"an agency value: {v}" for v in lv.agency_only() if v in served.text]
    if want == NOTHING:
        out += [f"a row: {m}" for m in lv.row_markers() if m in served.text]
    allowed = {want}
    if surface.name in NOT_YET_SERVED and lv.level != "public":
        allowed.add(NOTHING)
    if surface.member_view and audience in ("steward", "sysadmin"):
        allowed.add(LISTED)  # the editing shape lists resources at every level
    if served.got not in allowed:
        out.append(f"served {served.got}, expected {want}")
    return out


def run_surface(portal: MatrixPortal, surface: Surface) -> dict[tuple[str, str], Served]:
    return {
        (level, audience): surface.fetch(portal, audience, portal.levels[level])
        for level in ACCESS_LEVELS
        for audience in AUDIENCES
    }


# --- the portal, once per module and database --------------------------------------------


@pytest.fixture(scope="module", params=BACKENDS)
def portal(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[MatrixPortal]:
    from app import create_app
    from app.config import Settings
    from app.keys import ensure_key_files
    from app.services import build_services

    data_dir = tmp_path_factory.mktemp("matrix")
    ensure_key_files(data_dir)
    if request.param == "sqlite":
        copy_sqlite(request.getfixturevalue("migrated_sqlite"), data_dir / "portal.sqlite3")
        url = f"sqlite:///{data_dir / 'portal.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_url")
    settings = Settings(
        data_dir=data_dir,
        database_url=url,
        jobs_immediate=True,
        testing=True,
        rate_limit_anon="0",
        rate_limit_token="0",
    )
    services = build_services(settings)
    try:
        yield build_portal(services, create_app(settings, services))
    finally:
        services.engine.dispose()
        if request.param != "sqlite":
            _empty_postgres(url)


def _empty_postgres(url: str) -> None:
    from publishers import Base, make_engine

    engine = make_engine(url)
    with engine.begin() as conn:
        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        conn.execute(text(f"TRUNCATE {tables} CASCADE"))
    engine.dispose()


# --- the tests ----------------------------------------------------------------------------


def test_the_matrix_covers_every_level_audience_and_named_surface() -> None:
    assert set(EXPECTED) == set(ACCESS_LEVELS)
    assert all(len(row) == len(AUDIENCES) for row in EXPECTED.values())
    assert not NOT_YET_SERVED - set(BY_NAME), NOT_YET_SERVED - set(BY_NAME)


@pytest.mark.parametrize("surface", SURFACES, ids=[s.name for s in SURFACES])
def test_each_audience_gets_exactly_its_projection(portal: MatrixPortal, surface: Surface) -> None:
    served = run_surface(portal, surface)
    wrong = {
        f"{level} × {audience}": found
        for (level, audience), got in served.items()
        if (found := problems(surface, portal.levels[level], audience, got))
    }
    assert wrong == {}


def _log(portal: MatrixPortal) -> list[dict[str, Any]]:
    """Every access-log entry, every column, oldest first."""
    columns = AccessLogEntry.__table__.columns
    with portal.services.sessions() as session:
        entries = session.scalars(select(AccessLogEntry).order_by(AccessLogEntry.id))
        return [{c.name: getattr(e, c.name) for c in columns} for e in entries]


def test_the_access_log_holds_every_non_public_read_and_never_the_data(
    portal: MatrixPortal,
) -> None:
    """One entry per read of non-public data, per surface: a file or rows (with the resource),
    or a listing of the reader's resources (the dataset, no resource, no row count). Members
    reading the editing shape are not readers of a projection and are not logged there."""
    for surface in SURFACES:
        before = len(_log(portal))
        served = run_surface(portal, surface)
        new = _log(portal)[before:]
        reads = [
            (level, audience, surface.projection(level, audience))
            for (level, audience), got in served.items()
            if level != "public"
            and surface.kind != "decision"
            and (
                got.got in (PUBLIC, AGENCY)
                or (
                    got.got == LISTED
                    and not (surface.members_unlogged and audience in ("steward", "sysadmin"))
                )
            )
        ]
        assert len(new) == len(reads), (surface.name, reads, new)
        assert len({e["surface"] for e in new}) <= 1, surface.name  # one name per surface
        for entry, (level, audience, got) in zip(new, reads, strict=True):
            lv = portal.levels[level]
            resource = "" if surface.lists else lv.resource_id
            assert (entry["dataset_id"], entry["resource_id"]) == (lv.dataset_id, resource)
            assert (entry["user_id"], entry["projection"]) == (portal.users[audience], got)
            assert entry["grant_id"] == portal.grants.get((audience, level)), (level, audience)
            assert entry["rows"] in (None, 3)
    values = {
        v
        for lv in portal.levels.values()
        for rows in (lv.source, lv.public_rows[1:], lv.agency_rows[1:])
        for row in rows
        for v in row
        if not v.isdigit() or len(v) > 3  # not the households' sizes
    }
    entries = _log(portal)
    logged = json.dumps(entries, default=str, ensure_ascii=False)
    assert [v for v in values if v in logged] == []
    for lv in portal.levels.values():  # what the owning steward reads of it
        views = portal.services.sharing.access_log(portal.actor("steward"), lv.name, limit=1000)
        mine = [e for e in entries if e["dataset_id"] == lv.dataset_id]
        assert len(views) == len(mine) and (lv.level != "public" or not mine)
        assert sorted(v.surface for v in views) == sorted(e["surface"] for e in mine)


def test_expiry_and_revocation_take_effect_at_once(portal: MatrixPortal) -> None:
    """Read as a grant holder, then as nothing on every surface, sessions and tokens alike."""
    lv = portal.levels["restricted"]
    for who in ("revoked", "expiring"):
        portal.add_user(who)
    expires = datetime.now(UTC) + timedelta(seconds=4)
    portal.grant("expiring", "restricted", expires)
    assert domain_reader(portal, "expiring", lv).got == AGENCY
    revoked = portal.grant("revoked", "restricted", datetime.now(UTC) + timedelta(days=1))
    for surface in SURFACES:
        served = surface.fetch(portal, "revoked", lv)
        assert problems(surface, lv, "grant-holder", served) == [], surface.name
    portal.services.sharing.revoke(portal.actor("steward"), revoked)
    for surface in SURFACES:  # revoked: the next read, whatever the surface, reads nothing
        served = surface.fetch(portal, "revoked", lv)
        assert problems(surface, lv, "expired-grant", served) == [], surface.name
    time.sleep(max(0.0, (expires - datetime.now(UTC)).total_seconds()) + 0.1)
    for surface in SURFACES:  # expired: no job needed, the next read reads nothing
        served = surface.fetch(portal, "expiring", lv)
        assert problems(surface, lv, "expired-grant", served) == [], surface.name
