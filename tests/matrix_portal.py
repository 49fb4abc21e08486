"""The portal the access matrix reads (issue 18): one dataset per access level, seven audiences.

Every dataset holds the same kind of table (fake households: an id, a name, a citizen ID, a
phone, a ward, a count) with different people per level, so a value seen on a surface tells
which dataset and which projection it came from. The public decisions drop the three
personal columns; the agency decisions keep the name (with a justification), hash the
citizen ID and mask the phone. The expected files are built here from the source rows, not
read back from the portal.
"""

from __future__ import annotations

import csv
import io
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from app.services import Services
from datasets.access import ACCESS_LEVELS
from datasets.model import ResourceVersion
from datasets.personal.actions import hash_value, mask_value
from datasets.queries import get_dataset
from publishers import ANONYMOUS, Actor, Role
from tests.conftest import AuthActions
from tests.factories import PASSWORD, make_dataset, make_org, make_user, upload_bytes

AUDIENCES = (
    "anonymous",
    "registered",  # a signed-in account of no organization (a business)
    "other-agency",  # staff (publisher) of an organization that does not own the datasets
    "grant-holder",  # a business with an active grant on the agencies and restricted datasets
    "expired-grant",  # a business whose grants on those datasets have expired
    "steward",  # a steward of the owning organization
    "sysadmin",
)
HEADER = ["ma_ho", "ho_ten", "so_cccd", "dien_thoai", "phuong", "so_ho"]
PUBLIC_COLUMNS = ["ma_ho", "phuong", "so_ho"]
NAMES = [
    "Nguyễn Văn An",
    "Trần Thị Bích",
    "Lê Hoàng Cường",
    "Phạm Minh Đức",
    "Hoàng Thị Giang",
    "Huỳnh Văn Hải",
    "Phan Thị Hương",
    "Vũ Quốc Khánh",
    "Võ Thị Lan",
    "Đặng Văn Long",
    "Bùi Thị Mai",
    "Đỗ Văn Nam",
    "Hồ Thị Oanh",
    "Ngô Văn Phúc",
    "Dương Thị Quỳnh",
]
WARDS = ["Phường Bến Nghé", "Phường Tân Định", "Phường Thảo Điền"]
GRANT_DAYS = 30
EXPIRING_SECONDS = 3


def source_rows(level_index: int) -> list[list[str]]:
    """The uploaded rows of the dataset at ``ACCESS_LEVELS[level_index]`` (all fake)."""
    code = ACCESS_LEVELS[level_index][:3].upper()
    return [
        [
            f"HGD-{code}-{j:02d}",
            NAMES[level_index * 3 + j],
            f"0790{85 + level_index:02d}{512340 + 111 * j + level_index:06d}",
            f"09{level_index}{j}{734560 + 7 * j + level_index:06d}",
            WARDS[j],
            str(2 + j),
        ]
        for j in range(3)
    ]


def csv_bytes(rows: list[list[str]]) -> bytes:
    """Rows as the portal writes a stripped file: UTF-8, CSV with the csv module's defaults."""
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


@dataclass
class Level:
    """The dataset at one access level, and what each projection of it holds."""

    level: str
    dataset_id: str
    name: str
    title: str
    resource_id: str
    filename: str
    source: list[list[str]]
    public_rows: list[list[str]]  # header first
    agency_rows: list[list[str]]

    @property
    def public_csv(self) -> bytes:
        return csv_bytes(self.public_rows)

    @property
    def agency_csv(self) -> bytes:
        return csv_bytes(self.agency_rows)

    def row_markers(self) -> list[str]:
        """Values of every projection (the row ids): present wherever data is served."""
        return [row[0] for row in self.source]

    def agency_only(self) -> list[str]:
        """Values only the agency projection holds (names, hashed IDs, masked phones)."""
        return [v for row in self.agency_rows[1:] for v in row[1:4]]

    def never(self) -> list[str]:
        """Values no projection ever holds: the citizen IDs and phones as uploaded."""
        return [v for row in self.source for v in row[2:4]]


@dataclass
class MatrixPortal:
    """The services, the datasets by level, the actors and the HTTP clients by audience."""

    services: Services
    app: Any
    levels: dict[str, Level]
    users: dict[str, str] = field(default_factory=dict)  # audience → user id
    user_names: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    clients: dict[str, Any] = field(default_factory=dict)
    grants: dict[tuple[str, str], str] = field(default_factory=dict)  # (audience, level) → id
    owner_id: str = ""

    def actor(self, audience: str) -> Actor:
        if audience == "anonymous":
            return ANONYMOUS
        return self.services.accounts.actor_for(self.users[audience])

    def headers(self, audience: str) -> dict[str, str]:
        token = self.tokens.get(audience)
        return {"Authorization": f"Bearer {token}"} if token else {}

    def add_user(self, audience: str, org: Any = None, role: Role | None = None, **kw: Any) -> None:
        info = make_user(self.services, org, role, **kw)
        self.users[audience], self.user_names[audience] = info.id, info.name
        self.tokens[audience] = self.services.tokens.create(info.id, "matrix")
        client = self.app.test_client()
        AuthActions(client).login(info.name, PASSWORD)
        self.clients[audience] = client

    def grant(self, audience: str, level: str, expires: datetime) -> str:
        """Ask for access as ``audience`` and approve it as the steward; return the grant id."""
        sharing = self.services.sharing
        asked = sharing.request_access(
            self.actor(audience), self.levels[level].name, purpose="Kiểm thử ma trận quyền"
        )
        grant = sharing.approve(self.actor("steward"), asked.id, expires=expires)
        self.grants[audience, level] = grant.id
        return grant.id


def build_portal(services: Services, app: Any) -> MatrixPortal:
    """Publish one dataset per level, make the audiences, their grants and clients."""
    org = make_org(services, name="so-lao-dong-ma-tran")
    other = make_org(services, name="so-khac-ma-tran")
    portal = MatrixPortal(services, app, {}, owner_id=org.id)
    portal.add_user("steward", org, Role.STEWARD)
    publisher = services.accounts.actor_for(make_user(services, org, Role.PUBLISHER).id)
    steward = portal.actor("steward")
    for index, level in enumerate(ACCESS_LEVELS):
        portal.levels[level] = _publish(services, publisher, steward, org, index, level)
    portal.clients["anonymous"] = app.test_client()
    portal.add_user("registered")
    portal.add_user("other-agency", other, Role.PUBLISHER)
    portal.add_user("grant-holder")
    portal.add_user("expired-grant")
    portal.add_user("sysadmin", sysadmin=True)
    last = datetime.now(UTC)
    for level in ("agencies", "restricted"):
        last = datetime.now(UTC) + timedelta(seconds=EXPIRING_SECONDS)
        portal.grant("expired-grant", level, last)
        portal.grant("grant-holder", level, datetime.now(UTC) + timedelta(days=GRANT_DAYS))
    time.sleep(max(0.0, (last - datetime.now(UTC)).total_seconds()) + 0.2)  # they expire
    return portal


def _publish(
    services: Services, publisher: Actor, steward: Actor, org: Any, index: int, level: str
) -> Level:
    title = f"Hộ gia đình ma trận {level}"
    dataset = make_dataset(
        services,
        publisher,
        org,
        title=title,
        access_level=level,
        access_instructions="" if level == "public" else "Liên hệ Sở Lao động.",
    )
    source = source_rows(index)
    filename = f"ho-gia-dinh-{level}.csv"
    resource_id = upload_bytes(
        services, publisher, dataset.name, csv_bytes([HEADER, *source]), filename
    )
    version = _version(services, dataset.name, resource_id)
    kinds = {f.column: f.kind for f in version.column_findings}
    assert set(kinds) == {"ho_ten", "so_cccd", "dien_thoai"}, kinds
    drops = [{"column": column, "action": "drop"} for column in kinds]
    services.editor.set_decisions(steward, dataset.name, resource_id, drops)
    services.editor.set_agency_decisions(
        steward,
        dataset.name,
        resource_id,
        [
            {"column": "ho_ten", "action": "keep", "justification": "Chi trả hỗ trợ"},
            {"column": "so_cccd", "action": "hash"},
            {"column": "dien_thoai", "action": "mask"},
        ],
    )
    services.workflow.submit(publisher, dataset.name)
    services.workflow.approve(steward, dataset.name)
    key = services.keys.hash_key
    agency = [
        [
            *r[:2],
            hash_value(r[2], kinds["so_cccd"], key),
            mask_value(r[3], kinds["dien_thoai"]),
            *r[4:],
        ]
        for r in source
    ]
    return Level(
        level=level,
        dataset_id=dataset.id,
        name=dataset.name,
        title=title,
        resource_id=resource_id,
        filename=filename,
        source=source,
        public_rows=[PUBLIC_COLUMNS, *([r[0], r[4], r[5]] for r in source)],
        agency_rows=[HEADER, *agency],
    )


def _version(services: Services, name: str, resource_id: str) -> ResourceVersion:
    with services.sessions() as session:
        revision = get_dataset(session, name).working_revision
        assert revision is not None
        return next(e.version for e in revision.entries if e.resource_id == resource_id)
