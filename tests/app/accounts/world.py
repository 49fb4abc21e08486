"""A small world for permission tests: two organizations and one user per role, and the
expected outcome of every operation for every role, shared by all surfaces.

Users are created without passwords (no scrypt cost): the web tests put them in a
session directly (the sign-in form itself is tested in test_signin.py); the API tests
give each user a token.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select

from app.services import Services
from datasets.model import Activity, Dataset, Resource, ResourceVersion, Revision, RevisionResource
from publishers import ANONYMOUS, Actor, Organization, Role, Scope, UserInfo
from publishers.model import AuditEntry
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
MEMBERS = {"publisher_own", "steward_own"}
APPROVERS = {"steward_own", "sysadmin"}
READERS = MEMBERS | {"sysadmin"}  # who sees organization A's drafts
OUTSIDERS = {"consumer", "publisher_other", "steward_other"}
# Who may do each operation on organization A (SPEC §1, §3). A surface offers a subset.
EXPECTED: dict[str, set[str]] = {
    "read_draft": READERS,
    "create": MEMBERS,
    "edit_metadata": MEMBERS,
    "upload": MEMBERS,
    "link": MEMBERS,
    "validation_report": READERS,
    "findings": READERS,
    "activity": READERS,
    "submit": MEMBERS,
    "approve": APPROVERS,
    "reject": APPROVERS,
    "withdraw": APPROVERS,
    "delete_draft": MEMBERS,
    "decide_keep": {"steward_own"},
    "manage_members": APPROVERS,
    "manage_policy": APPROVERS,
    "admin_pages": {"sysadmin"},
}
# Operations that only read (anonymous callers may try them without signing in).
READS = {"read_draft", "validation_report", "findings", "activity"}
# Operations on something only readers see (a draft or a submission). Whoever may not see
# it is told it does not exist, on every surface: a refusal never reveals a draft.
ON_HIDDEN = READS | {
    "edit_metadata",
    "upload",
    "link",
    "submit",
    "approve",
    "reject",
    "delete_draft",
    "decide_keep",
}


def refusal(role: str, op: str) -> str:
    """How ``op`` is refused to ``role`` at a surface (web or API).

    ``unauthenticated`` (sign in or send a token first), ``not_found`` (it does not exist
    for them), ``kept_back`` (a publisher's "keep" needs a steward: refused per column) or
    ``forbidden``.
    """
    assert role not in EXPECTED[op], f"{role} may {op}"
    if role == "anonymous":
        return "not_found" if op in READS else "unauthenticated"
    if role in OUTSIDERS and op in ON_HIDDEN:
        return "not_found"
    if op == "decide_keep" and role == "publisher_own":
        return "kept_back"
    return "forbidden"


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
    before: tuple[object, ...] | None = None  # the fingerprint taken just before a call

    def snapshot(self) -> None:
        """Remember the fingerprint of the database and files (call right before the call)."""
        self.before = fingerprint(self.services)

    def unchanged(self) -> bool:
        """True when nothing changed since ``snapshot``."""
        assert self.before is not None, "snapshot() was not called"
        return fingerprint(self.services) == self.before

    def actor(self, role: str) -> Actor:
        if role == "anonymous":
            return ANONYMOUS
        return self.services.accounts.actor_for(self.users[role].id)

    def token(self, role: str, scope: Scope = Scope.READ_WRITE) -> str | None:
        """A new API token of the role's user (None for anonymous)."""
        if role == "anonymous":
            return None
        return self.services.tokens.create(self.users[role].id, f"{role}-{scope}", scope=scope)

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


def fingerprint(services: Services) -> tuple[object, ...]:
    """Everything a refused write could have changed: datasets, revisions, resources,
    versions and their decisions, activity, dataset audit entries and the vault's files."""
    with services.sessions() as session:
        datasets = session.execute(
            select(
                Dataset.id,
                Dataset.name,
                Dataset.state,
                Dataset.lock_version,
                Dataset.working_revision_id,
                Dataset.live_revision_id,
            ).order_by(Dataset.id)
        ).all()
        revisions = session.execute(
            select(Revision.id, Revision.status, Revision.title_vi, Revision.title_en).order_by(
                Revision.id
            )
        ).all()
        versions = session.execute(
            select(ResourceVersion.id, ResourceVersion.status, ResourceVersion.decisions).order_by(
                ResourceVersion.id
            )
        ).all()
        counts = [
            session.scalar(select(func.count()).select_from(table))
            for table in (Resource, RevisionResource, Activity)
        ]
        audited = session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action.startswith("dataset."))
        )
    vault = Path(services.settings.data_dir) / "files" / "private"
    files = sorted(str(f) for f in vault.rglob("*") if f.is_file())
    staged = sorted(str(f) for f in (Path(services.settings.data_dir) / "staging").rglob("*"))
    return (
        [tuple(r) for r in datasets],
        [tuple(r) for r in revisions],
        [tuple(r) for r in versions],
        counts,
        audited,
        files,
        staged,
    )


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
        key = world.services.signin_sessions.open(info.id)
        session["_user_id"] = f"{info.id}:{info.session_generation}:{key}"
        session["_fresh"] = True
