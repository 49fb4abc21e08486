"""Test factories: every object is made through the real domain calls (no raw inserts)."""

from __future__ import annotations

import io
import itertools
from pathlib import Path

from app.services import Services
from datasets.metadata_input import DatasetMetadata
from datasets.model import Dataset
from datasets.resource_edit import ResourceInput
from datasets.uploads import receive
from publishers import Actor, Organization, Role, UserInfo

PASSWORD = "correct horse battery 9"
_counter = itertools.count(1)

SAMPLE_CSV = (
    "ma_tram,ten_tram,quan_huyen,vi_do,kinh_do,so_cho\n"
    "T001,Trạm Bến Thành,Quận 1,10.7722,106.6980,40\n"
    "T002,Trạm Đường Nguyễn Huệ,Quận 1,10.7740,106.7035,25\n"
    "T003,Trạm Chợ Lớn,Quận 5,10.7520,106.6600,30\n"
    "T004,Trạm Thảo Điền,Thành phố Thủ Đức,10.8030,106.7330,18\n"
).encode()


def make_org(services: Services, name: str | None = None, title: str = "") -> Organization:
    n = next(_counter)
    name = name or f"so-thu-nghiem-{n}"
    return services.accounts.create_organization(
        name,
        title or f"Sở Thử nghiệm {n}",
        title_en=f"Test Department {n}",
        email=f"contact{n}@tphcm.gov.vn.example",
    )


def make_user(
    services: Services,
    org: Organization | None = None,
    role: Role | None = None,
    *,
    sysadmin: bool = False,
    name: str | None = None,
) -> UserInfo:
    n = next(_counter)
    name = name or f"user{n}"
    info = services.accounts.create_user(
        name, f"{name}@example.org", PASSWORD, is_sysadmin=sysadmin
    )
    if org is not None and role is not None:
        services.accounts.add_member(org.id, info.id, role)
    return info


def actor(services: Services, user: UserInfo) -> Actor:
    return services.accounts.actor_for(user.id)


def upload_bytes(
    services: Services,
    who: Actor,
    dataset_name: str,
    data: bytes,
    filename: str = "data.csv",
    name: str = "",
) -> str:
    """Upload ``data`` as a new resource; return the resource id."""
    staged = receive(
        io.BytesIO(data),
        filename,
        Path(services.settings.data_dir) / "staging",
        services.settings.max_upload_bytes,
    )
    version = services.editor.add_upload(who, dataset_name, staged, ResourceInput(name=name))
    return version.resource_id


def make_dataset(
    services: Services, who: Actor, org: Organization, title: str = "", **meta: object
) -> Dataset:
    n = next(_counter)
    metadata = DatasetMetadata(
        title_vi=title or f"Dữ liệu thử nghiệm {n}",
        title_en=f"Test data {n}",
        description_vi="Mô tả thử nghiệm.",
        **meta,
    )
    return services.editor.create(who, org.id, metadata)


def publish_sample(
    services: Services, title: str = "Trạm dừng xe buýt giao thông", data: bytes = SAMPLE_CSV
) -> tuple[Dataset, str, Actor, Actor]:
    """Create, upload, submit and approve a dataset; return it with its resource id."""
    org = make_org(services)
    publisher = actor(services, make_user(services, org, Role.PUBLISHER))
    steward = actor(services, make_user(services, org, Role.STEWARD))
    dataset = make_dataset(services, publisher, org, title=title, tags=("xe buýt",))
    resource_id = upload_bytes(services, publisher, dataset.name, data)
    services.workflow.submit(publisher, dataset.name)
    services.workflow.approve(steward, dataset.name)
    return dataset, resource_id, publisher, steward
