"""Deactivation, tokens of unverified accounts, signed links, audit log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from publishers import (
    Audit,
    InvalidInput,
    PermissionDenied,
    Registration,
    Role,
    Tokens,
    Unauthenticated,
    truncate_ip,
)
from tests.factories import PASSWORD, actor, make_org, make_user


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def test_deactivation_ends_sessions_revokes_tokens_and_is_audited(services) -> None:
    admin = actor(services, make_user(services, sysadmin=True))
    user = make_user(services, name="sap-nghi")
    token = services.tokens.create(user.id, "script")
    before = services.accounts.get_user(user.id).session_generation
    services.admin.set_active(admin, user.id, False)
    after = services.accounts.get_user(user.id)
    assert not after.is_active and after.session_generation == before + 1
    with pytest.raises(Unauthenticated):
        services.tokens.verify(token)
    assert all(t.revoked is not None for t in services.tokens.list_for(user.id))
    with pytest.raises(Unauthenticated):
        services.accounts.authenticate("sap-nghi", PASSWORD)
    rows = services.audit.page(admin).rows
    assert (rows[0].action, rows[0].target) == ("user.deactivate", f"user:{user.id}")
    services.admin.set_active(admin, user.id, True)
    with pytest.raises(Unauthenticated):  # reactivation does not revive revoked tokens
        services.tokens.verify(token)


def test_unverified_accounts_cannot_create_tokens(services) -> None:
    info, _link = services.registration.register("khach", "khach@example.org", PASSWORD)
    with pytest.raises(PermissionDenied):
        services.tokens.create(info.id, "x")
    services.registration.verify_email(services.registration.verification_token(info))
    assert services.tokens.create(info.id, "x").startswith("odp_")


def test_expired_and_revoked_tokens_fail(services) -> None:
    clock = Clock()
    tokens = Tokens(services.sessions, clock)
    user = make_user(services)
    short = tokens.create(user.id, "short", expires_days=1)
    kept = tokens.create(user.id, "kept")
    assert tokens.verify(short).user_id == user.id
    clock.now += timedelta(days=1, seconds=1)
    with pytest.raises(Unauthenticated):
        tokens.verify(short)
    other = make_user(services)
    kept_id = tokens.verify(kept).token_id
    assert tokens.revoke_id(other.id, kept_id) is False  # not theirs
    assert tokens.verify(kept).user_id == user.id
    assert tokens.revoke_id(user.id, kept_id) is True
    with pytest.raises(Unauthenticated):
        tokens.verify(kept)


def test_signed_links_expire_and_reset_links_work_once(services) -> None:
    clock = Clock()
    registration = Registration(services.sessions, services.accounts, "k" * 40, clock)
    info, verify_token = registration.register("moi", "moi@example.org", PASSWORD)
    clock.now += timedelta(days=4)
    with pytest.raises(InvalidInput) as expired:
        registration.verify_email(verify_token)
    assert expired.value.errors == {"token": ["expired_token"]}
    other_key = Registration(services.sessions, services.accounts, "z" * 40, clock)
    found = registration.reset_token("MOI@example.org")
    assert found is not None and found[0].id == info.id
    with pytest.raises(InvalidInput):
        other_key.reset_password(found[1], "new password 123")  # signed with another key
    registration.reset_password(found[1], "new password 123")
    with pytest.raises(InvalidInput) as reused:
        registration.reset_password(found[1], "another password 456")
    assert reused.value.errors == {"token": ["invalid_token"]}
    assert registration.reset_token("nobody@example.org") is None


def test_single_sign_on_accounts(services) -> None:
    with pytest.raises(Unauthenticated) as refused:
        services.registration.user_for_sso("x@tphcm.example", False)
    assert refused.value.params["reason"] == "email_unverified"
    created = services.registration.user_for_sso("le.van.a@tphcm.example", True, "Lê Văn A")
    assert created.name == "le-van-a" and created.email_verified
    again = services.registration.user_for_sso("LE.VAN.A@tphcm.example", True)
    assert again.id == created.id


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("203.0.113.77", "203.0.113.0/24"),
        ("2001:db8:abcd:12:1:2:3:4", "2001:db8:abcd::/48"),
        ("::ffff:198.51.100.9", "198.51.100.0/24"),
        ("not an address", ""),
        (None, ""),
    ],
)
def test_ip_addresses_are_truncated(address, network) -> None:
    assert truncate_ip(address) == network


def test_audit_log_is_purged_after_retention_and_only_sysadmins_read_it(services) -> None:
    clock = Clock()
    audit = Audit(services.sessions, 30, clock=clock)
    admin = actor(services, make_user(services, sysadmin=True, name="quantri"))
    audit.record(admin.user_id, "user.create", "user:1", ip="203.0.113.5")
    clock.now += timedelta(days=31)
    audit.record(admin.user_id, "organization.create", "organization:so-x", ip="203.0.113.5")
    page = audit.page(admin)
    assert [r.action for r in page.rows] == ["organization.create"]
    assert page.rows[0].ip == "203.0.113.0/24" and page.rows[0].actor_name == "quantri"
    assert audit.page(admin, action="user.").total == 0
    org = make_org(services)
    steward = actor(services, make_user(services, org, Role.STEWARD))
    with pytest.raises(PermissionDenied):
        audit.page(steward)


def test_member_management_keeps_a_steward(services) -> None:
    from publishers import Conflict

    org = make_org(services)
    steward_info = make_user(services, org, Role.STEWARD, name="truong-phong")
    steward = actor(services, steward_info)
    make_user(services, name="chuyen-vien")
    services.admin.set_member(steward, org.id, "chuyen-vien@example.org", Role.PUBLISHER)
    assert {m.user.name: m.role for m in services.admin.members(steward, org.id)} == {
        "chuyen-vien": Role.PUBLISHER,
        "truong-phong": Role.STEWARD,
    }
    with pytest.raises(Conflict):
        services.admin.remove_member(steward, org.id, steward_info.id)
    with pytest.raises(Conflict):
        services.admin.set_member(steward, org.id, "truong-phong", Role.PUBLISHER)
