"""A small world for permission tests: two organizations and one user per role.

Users are created without passwords (no scrypt cost): the web tests put them in a
session directly; the sign-in form itself is tested in test_signin.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.services import Services
from datasets.model import Dataset
from publishers import ANONYMOUS, Actor, Organization, Role, UserInfo
from tests.factories import SAMPLE_CSV, make_dataset, make_org, upload_bytes

ROLES = (
    "anonymous",
    "consumer",
    "publisher_own",
    "publisher_other",
    "steward_own",
    "steward_other",
    "sysadmin",
)
PII_CSV = (
    "ma_ho_so,ho_ten,so_dien_thoai,quan\n"
    "HS001,Nguyễn Văn An,0903123456,Quận 1\n"
    "HS002,Trần Thị Bình,0912345678,Quận 3\n"
    "HS003,Lê Văn Cường,0987654321,Quận 5\n"
    "HS004,Phạm Thị Dung,0938765432,Quận 7\n"
).encode()


@dataclass
class World:
    """Organizations ``own`` (A) and ``other`` (B), users by role, actors by role."""

    services: Services
    own: Organization
    other: Organization
    users: dict[str, UserInfo] = field(default_factory=dict)

    def actor(self, role: str) -> Actor:
        if role == "anonymous":
            return ANONYMOUS
        return self.services.accounts.actor_for(self.users[role].id)

    def draft(self, data: bytes = SAMPLE_CSV) -> Dataset:
        """A draft of organization A with one processed upload, by its publisher."""
        publisher = self.actor("publisher_own")
        dataset = make_dataset(self.services, publisher, self.own)
        upload_bytes(self.services, publisher, dataset.name, data)
        return dataset

    def submitted(self) -> Dataset:
        dataset = self.draft()
        self.services.workflow.submit(self.actor("publisher_own"), dataset.name)
        return dataset

    def published(self) -> Dataset:
        dataset = self.submitted()
        self.services.workflow.approve(self.actor("steward_own"), dataset.name)
        return dataset


def _user(services: Services, name: str, *, sysadmin: bool = False) -> UserInfo:
    return services.accounts.create_user(
        name, f"{name}@example.org", None, is_sysadmin=sysadmin, full_name=name.title()
    )


def build_world(services: Services) -> World:
    """Create both organizations and a user for every role but anonymous."""
    world = World(services, make_org(services, "so-a"), make_org(services, "so-b"))
    world.users["consumer"] = _user(services, "consumer")
    world.users["sysadmin"] = _user(services, "sysadmin", sysadmin=True)
    for role, org, member_role in (
        ("publisher_own", world.own, Role.PUBLISHER),
        ("steward_own", world.own, Role.STEWARD),
        ("publisher_other", world.other, Role.PUBLISHER),
        ("steward_other", world.other, Role.STEWARD),
    ):
        info = _user(services, role.replace("_", "-"))
        services.accounts.add_member(org.id, info.id, member_role)
        world.users[role] = info
    return world


def sign_in_as(client, world: World, role: str) -> None:
    """Put the role's user in the test client's session (Flask-Login's session keys)."""
    if role == "anonymous":
        return
    info = world.services.accounts.get_user(world.users[role].id)
    with client.session_transaction() as session:
        session["_user_id"] = f"{info.id}:{info.session_generation}"
        session["_fresh"] = True
