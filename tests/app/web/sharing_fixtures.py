"""A restricted dataset with personal data whose agency file keeps what the public file drops.

The phone column is dropped from the public file and kept (by a steward, with a
justification) in the agency file: a phone number seen by a reader proves that reader got
the agency projection.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.services import Services
from publishers import Actor, Organization, Role, UserInfo
from tests.factories import actor, make_dataset, make_org, make_user, upload_bytes

PHONE = "0903123456"
PERSONAL_CSV = (
    "ma_ho,ho_ten,so_dien_thoai,quan_huyen\n"
    f"H001,Nguyễn Văn An,{PHONE},Quận 1\n"
    "H002,Trần Thị Bình,0912345678,Quận 3\n"
    "H003,Lê Văn Cường,0987654321,Quận 5\n"
    "H004,Phạm Thị Dung,0933221100,Quận 7\n"
).encode()


@dataclass
class Shared:
    """The restricted dataset, its owners and a business account outside them."""

    name: str
    resource_id: str
    org: Organization
    publisher: Actor
    steward: Actor
    steward_info: UserInfo
    business: Actor
    business_info: UserInfo


def _decisions(services: Services, who: Actor, name: str, rid: str, agency: bool) -> None:
    with services.sessions() as session:
        from datasets.members import member_dataset

        findings = member_dataset(session, who, name).resource(rid).column_findings
    decisions = [
        {
            "column": f.column,
            "action": "keep" if agency else "drop",
            "justification": "Cần liên hệ hộ dân khi xử lý hồ sơ." if agency else "",
        }
        for f in findings
    ]
    assert decisions, "the scan found the personal columns"
    if agency:
        services.editor.set_agency_decisions(who, name, rid, decisions)
    else:
        services.editor.set_decisions(who, name, rid, decisions)


def publish_restricted(services: Services, level: str = "restricted") -> Shared:
    """Publish a dataset at ``level`` with public and agency decisions; return its people."""
    org = make_org(services)
    publisher_info = make_user(services, org, Role.PUBLISHER)
    steward_info = make_user(services, org, Role.STEWARD)
    business_info = make_user(services)
    publisher, steward = actor(services, publisher_info), actor(services, steward_info)
    name = make_dataset(
        services,
        publisher,
        org,
        title="Hộ dân cần hỗ trợ",
        access_level=level,
        access_instructions="Gửi yêu cầu kèm văn bản pháp lý.",
    ).name
    rid = upload_bytes(services, publisher, name, PERSONAL_CSV)
    _decisions(services, steward, name, rid, agency=False)
    _decisions(services, steward, name, rid, agency=True)
    services.workflow.submit(publisher, name)
    services.workflow.approve(steward, name)
    return Shared(
        name,
        rid,
        org,
        publisher,
        steward,
        steward_info,
        actor(services, business_info),
        business_info,
    )
