"""Shared data (issue 18) in the domain: levels, projections, requests, grants, the log."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest

from app.services import Services
from datasets.access import (
    ACCESS_LEVELS,
    AccessLevel,
    GrantInfo,
    Projection,
    decide_access,
)
from datasets.audience import ReaderView
from datasets.datastore import DatastoreQuery, UnknownResource
from datasets.metadata_input import DatasetMetadata
from datasets.model import ResourceVersion
from datasets.public import PublicDataset
from datasets.queries import get_dataset
from publishers import ANONYMOUS, Actor, InvalidInput, NotFound, PermissionDenied, Role
from tests.factories import actor, make_dataset, make_org, make_user, upload_bytes

PEOPLE_CSV = (
    "ho_ten,so_cccd,dien_thoai,phuong,so_ho\n"
    "Nguyễn Văn An,079085012345,0912345678,Phường Bến Nghé,3\n"
    "Trần Thị Bích,079190054321,0987654321,Phường Bến Thành,4\n"
    "Lê Hoàng Cường,079088099887,0903111222,Phường Tân Định,2\n"
).encode()
OWNER = "so-lao-dong-thu-nghiem"


def test_the_decision_table_of_levels_and_audiences() -> None:
    owner, other = "org-owner", "org-other"
    audiences = {
        "anonymous": ANONYMOUS,
        "registered": Actor(user_id="u1"),
        "other agency": Actor(user_id="u2", roles={other: Role.PUBLISHER}),
        "owner": Actor(user_id="u3", roles={owner: Role.PUBLISHER}),
        "sysadmin": Actor(user_id="u4", is_sysadmin=True),
    }
    expected = {
        "public": ["public"] * 5,
        "registered": ["none", "public", "public", "public", "public"],
        "agencies": ["none", "none", "agency", "agency", "agency"],
        "restricted": ["none", "none", "none", "agency", "none"],
        "catalog-only": ["none"] * 5,
    }
    assert set(expected) == set(ACCESS_LEVELS)
    for level, projections in expected.items():
        got = [decide_access(level, who, owner).projection.value for who in audiences.values()]
        assert got == projections, level
    grant = GrantInfo("g1", ("phuong",))
    holder = decide_access("restricted", Actor(user_id="u1"), owner, grant)
    assert (holder.projection, holder.grant_id, holder.columns) == (
        Projection.AGENCY,
        "g1",
        ("phuong",),
    )
    assert holder.logged and not decide_access("public", ANONYMOUS, owner).logged
    # A token limited to other datasets reads nothing beyond public data.
    limited = Actor(user_id="u1", datasets=frozenset({"khac"}))
    assert not decide_access("restricted", limited, owner, grant, dataset_name="x").reads_data
    assert decide_access("public", limited, owner, dataset_name="x").reads_data
    assert not decide_access("bogus", audiences["owner"], owner).reads_data


class Portal:
    """One restricted dataset with an agency projection, its organization and people."""

    def __init__(self, services: Services, level: str = "restricted") -> None:
        self.services = services
        self.org = make_org(services, name=f"{OWNER}-{level}")
        self.publisher = actor(services, make_user(services, self.org, Role.PUBLISHER))
        self.steward = actor(services, make_user(services, self.org, Role.STEWARD))
        other = make_org(services)
        self.agency = actor(services, make_user(services, other, Role.PUBLISHER))
        self.business = actor(services, make_user(services))
        self.admin = actor(services, make_user(services, sysadmin=True))
        dataset = make_dataset(
            services,
            self.publisher,
            self.org,
            title="Hộ gia đình được hỗ trợ",
            access_level=level,
            access_instructions="Gửi yêu cầu kèm mục đích sử dụng.",
        )
        self.name = dataset.name
        self.resource_id = upload_bytes(services, self.publisher, self.name, PEOPLE_CSV)
        version = self.version()
        decisions = [{"column": d["column"], "action": "drop"} for d in (version.decisions or ())]
        services.editor.set_decisions(self.steward, self.name, self.resource_id, decisions)
        services.editor.set_agency_decisions(
            self.steward,
            self.name,
            self.resource_id,
            [
                {"column": "so_cccd", "action": "hash"},
                {"column": "dien_thoai", "action": "mask"},
                {"column": "ho_ten", "action": "keep", "justification": "Chi trả hỗ trợ"},
            ],
        )
        services.workflow.submit(self.publisher, self.name)
        services.workflow.approve(self.steward, self.name)

    def version(self) -> ResourceVersion:
        """The resource's version in the working revision, as processing left it."""
        with self.services.sessions() as session:
            revision = get_dataset(session, self.name).working_revision
            assert revision is not None
            return next(e.version for e in revision.entries if e.resource_id == self.resource_id)

    def record(self) -> PublicDataset:
        record = self.services.catalog.get(self.name)
        assert record is not None
        return record

    def read(self, who: Actor) -> tuple[ReaderView, str | None]:
        """What ``who`` reads: the view and the text of the file it serves (None: no file)."""
        view = self.services.readers.view(who, self.record())
        if not view.dataset.resources:
            return view, None
        resource = view.dataset.resources[0]
        if resource.agency_key:
            with self.services.vault.decrypted(resource.agency_key, ".csv") as path:
                return view, path.read_text(encoding="utf-8")
        assert resource.sha256 is not None
        path = self.services.public_store.local_path(resource.sha256)
        assert path is not None
        return view, path.read_text(encoding="utf-8")


def _columns(text: str) -> list[str]:
    return next(csv.reader(io.StringIO(text)))


def test_a_restricted_dataset_is_a_catalog_record_and_its_projections_differ(
    services: Services,
) -> None:
    portal = Portal(services)
    record = portal.record()
    assert record.access_level == "restricted"
    assert record.access_instructions == "Gửi yêu cầu kèm mục đích sử dụng."
    assert record.resources == ()  # metadata only, for everyone
    for nobody in (ANONYMOUS, portal.business, portal.agency, portal.admin):
        view, text = portal.read(nobody)
        assert text is None and not view.access.reads_data
    view, agency_text = portal.read(portal.steward)
    assert view.access.projection is Projection.AGENCY and agency_text is not None
    assert "Nguyễn Văn An" in agency_text  # kept with a justification
    assert "079085012345" not in agency_text  # hashed
    assert "0912345678" not in agency_text and "678" in agency_text  # masked
    assert _columns(agency_text) == ["ho_ten", "so_cccd", "dien_thoai", "phuong", "so_ho"]
    # The public file dropped all three; the public datastore (which the SQL endpoint reads)
    # holds nothing of a restricted table: it is loaded into the shared one.
    with services.sessions() as session:
        version = get_dataset(session, portal.name).live_revision.entries[0].version
        public = services.public_store.local_path(version.public_sha256 or "")
        assert public is not None
        assert _columns(public.read_text(encoding="utf-8")) == ["phuong", "so_ho"]
        assert version.agency_key and version.datastore_loaded
    with pytest.raises(UnknownResource):
        services.datastore.info(version.resource_id)
    assert "Nguyễn Văn An" in str(
        services.shared_datastore.search(version.resource_id, DatastoreQuery()).records
    )


def test_a_grant_gives_its_columns_until_it_is_revoked_or_expires(services: Services) -> None:
    portal = Portal(services)
    sharing = services.sharing
    with pytest.raises(InvalidInput) as bad:
        sharing.request_access(
            portal.business, portal.name, purpose=" ", columns=["nope"], until=date(2000, 1, 1)
        )
    assert set(bad.value.errors) == {"purpose", "columns", "until"}
    with pytest.raises(PermissionDenied):
        sharing.request_access(ANONYMOUS, portal.name, purpose="x")
    request = sharing.request_access(
        portal.business,
        portal.name,
        purpose="Nghiên cứu an sinh xã hội",
        legal_basis="Nghị định 13/2023/NĐ-CP, Điều 17",
        columns=["phuong", "so_ho", "ho_ten"],
    )
    assert portal.business.user_id is not None
    business = services.accounts.get_user(portal.business.user_id)
    assert (request.status, request.requester, request.columns) == (
        "pending",
        business.name,
        ("phuong", "so_ho", "ho_ten"),
    )
    with pytest.raises(InvalidInput):  # one pending request at a time
        sharing.request_access(portal.business, portal.name, purpose="lần nữa")
    assert [r.id for r in sharing.requests(portal.steward, organization_id=portal.org.id)] == [
        request.id
    ]
    for outsider in (portal.agency, portal.business):
        with pytest.raises((NotFound, PermissionDenied)):
            sharing.approve(outsider, request.id, expires=datetime.now(UTC) + timedelta(days=1))
    with pytest.raises(InvalidInput) as wider:
        sharing.approve(
            portal.steward,
            request.id,
            expires=datetime.now(UTC) + timedelta(days=1),
            columns=["so_cccd"],
        )
    assert wider.value.errors == {"columns": ["more_than_asked"]}
    grant = sharing.approve(
        portal.steward,
        request.id,
        expires=datetime.now(UTC) + timedelta(days=30),
        columns=["phuong", "ho_ten"],
    )
    assert grant.columns == ("phuong", "ho_ten") and grant.active(datetime.now(UTC))
    view, text = portal.read(portal.business)
    assert view.access.grant_id == grant.id and text is not None
    resource = view.dataset.resources[0]
    assert resource.columns == ("phuong", "ho_ten")
    assert [f["name"] for f in (resource.table_schema or {})["fields"]] == ["ho_ten", "phuong"]
    services.readers.record(
        portal.business, view, surface="download", resource_id=resource.id, rows=3
    )
    log = sharing.access_log(portal.steward, portal.name)
    assert [(e.surface, e.rows, e.grant_id, e.projection) for e in log] == [
        ("download", 3, grant.id, "agency")
    ]
    assert "Nguyễn Văn An" not in repr(log)
    with pytest.raises(NotFound):
        sharing.access_log(portal.agency, portal.name)
    revoked = sharing.revoke(portal.steward, grant.id)
    assert revoked.revoked_at is not None
    assert not portal.read(portal.business)[0].access.reads_data


def test_an_expired_grant_reads_nothing(services: Services) -> None:
    portal = Portal(services)
    request = services.sharing.request_access(portal.agency, portal.name, purpose="Đối soát")
    services.sharing.approve(
        portal.steward, request.id, expires=datetime.now(UTC) + timedelta(seconds=30)
    )
    assert portal.read(portal.agency)[0].access.reads_data
    assert services.sharing.grants(portal.agency)[0].active(datetime.now(UTC))
    services.sharing._clock = lambda: datetime.now(UTC) + timedelta(minutes=1)  # time passes
    assert not portal.read(portal.agency)[0].access.reads_data
    refused = services.sharing.request_access(portal.business, portal.name, purpose="x")
    with pytest.raises(InvalidInput):
        services.sharing.refuse(portal.steward, refused.id, reason=" ")
    done = services.sharing.refuse(portal.steward, refused.id, reason="Không đủ căn cứ")
    assert (done.status, done.reason) == ("refused", "Không đủ căn cứ")


def test_registered_and_agencies_levels(services: Services) -> None:
    registered = Portal(services, AccessLevel.REGISTERED.value)
    assert portal_text(registered, ANONYMOUS) is None
    text = portal_text(registered, registered.business)
    assert text is not None and _columns(text) == ["phuong", "so_ho"]  # the public file
    agencies = Portal(services, AccessLevel.AGENCIES.value)
    assert portal_text(agencies, agencies.business) is None
    text = portal_text(agencies, agencies.agency)
    assert text is not None and "Nguyễn Văn An" in text
    with pytest.raises(InvalidInput):
        services.editor.update_metadata(
            agencies.publisher,
            agencies.name,
            DatasetMetadata(title_vi="x", access_level="secret"),
            expected_version=None,
        )


def portal_text(portal: Portal, who: Actor) -> str | None:
    return portal.read(who)[1]
