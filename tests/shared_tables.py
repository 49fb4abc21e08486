"""A published dataset at a non-public level whose agency projection keeps more (issue 18).

Made through the real domain calls: the public decisions drop the name and the phone; the
agency decisions keep the name (with a justification) and mask the phone. ``agency_only``
reads the agency file back from the vault: the values agency readers get and nobody else.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import timedelta

from app.services import Services
from datasets.queries import get_dataset
from publishers import Actor, Organization, Role
from publishers.db import utcnow
from tests.factories import actor, make_dataset, make_org, make_user, upload_bytes

HOUSEHOLDS = (
    "ma_ho,ho_ten,so_dien_thoai,quan,so_nguoi\n"
    "HD58301,Lạc Thị Diệu Uyên,0903 417 721,Quận 1,4\n"
    "HD58302,Khổng Văn Khải Thạch,0903 428 732,Quận 3,2\n"
    "HD58303,Tôn Nữ Ngọc Nhạn,0903 439 743,Quận 5,5\n"
    "HD58304,Âu Dương Minh Khuê,0903 440 754,Quận 3,3\n"
).encode()
PUBLIC_COLUMNS = ["ma_ho", "quan", "so_nguoi"]
AGENCY_COLUMNS = ["ma_ho", "ho_ten", "so_dien_thoai", "quan", "so_nguoi"]


@dataclass
class SharedTable:
    """The dataset, its resource and the people around it."""

    name: str
    dataset_id: str
    resource_id: str
    org: Organization
    publisher: Actor
    steward: Actor
    agency_values: list[str]  # values of the agency file that the public file does not hold


def publish_shared(
    services: Services, level: str = "restricted", *, title: str = "Hộ dân được hỗ trợ"
) -> SharedTable:
    """Publish ``HOUSEHOLDS`` at ``level`` with public and agency decisions."""
    org = make_org(services)
    publisher = actor(services, make_user(services, org, Role.PUBLISHER))
    steward = actor(services, make_user(services, org, Role.STEWARD))
    dataset = make_dataset(services, publisher, org, title=title, access_level=level)
    resource_id = upload_bytes(services, publisher, dataset.name, HOUSEHOLDS, "ho_dan.csv")
    with services.sessions() as session:
        version = get_dataset(session, dataset.name).working_revision.entries[0].version
        found = {f["column"] for f in version.findings}
    services.editor.set_decisions(
        steward,
        dataset.name,
        resource_id,
        [{"column": c, "action": "drop", "justification": ""} for c in sorted(found)],
    )
    agency = {
        "ho_ten": {"action": "keep", "justification": "Đối chiếu hồ sơ hỗ trợ giữa các sở"},
        "so_dien_thoai": {"action": "mask", "justification": ""},
    }
    services.editor.set_agency_decisions(
        steward,
        dataset.name,
        resource_id,
        [{"column": c, **agency.get(c, {"action": "drop", "justification": ""})} for c in found],
    )
    services.workflow.submit(publisher, dataset.name)
    services.workflow.approve(steward, dataset.name)
    return SharedTable(
        dataset.name,
        dataset.id,
        resource_id,
        org,
        publisher,
        steward,
        agency_only(services, dataset.name),
    )


def agency_only(services: Services, name: str) -> list[str]:
    """Return every value of the live agency file that is in no column of the public file."""
    with services.sessions() as session:
        version = get_dataset(session, name).live_revision.entries[0].version
        key = version.agency_key
    assert key, "no agency file was built"
    with services.vault.decrypted(key, ".csv") as path:
        rows = list(csv.DictReader(io.StringIO(path.read_text("utf-8"))))
    hidden = [c for c in rows[0] if c not in PUBLIC_COLUMNS]
    assert hidden, rows[0]
    return [row[c] for row in rows for c in hidden if row[c]]


def grant(
    services: Services,
    table: SharedTable,
    who: Actor,
    *,
    days: int = 30,
    columns: list[str] | None = None,
) -> str:
    """Request access as ``who`` and approve it as the steward; return the grant id."""
    asked = services.sharing.request_access(
        who, table.name, purpose="Xác minh hồ sơ hỗ trợ", columns=columns
    )
    expires = utcnow() + timedelta(days=days)
    return services.sharing.approve(table.steward, asked.id, expires=expires, columns=columns).id


def expire(services: Services, grant_id: str) -> None:
    """Move a grant's expiry into the past (as if its time had run out)."""
    from datasets.sharing_model import Grant

    with services.sessions.begin() as session:
        row = session.get(Grant, grant_id)
        assert row is not None
        row.expires = utcnow() - timedelta(minutes=1)
