"""Password hashes: the stand-in hash for unknown accounts costs what a real one costs."""

from __future__ import annotations

import pytest

from publishers import Unauthenticated
from publishers.passwords import DUMMY_HASH, hash_password, verify_password
from tests.factories import PASSWORD, make_user


def _parts(stored: str) -> list[str]:
    return stored.split("$")


def test_the_stand_in_hash_has_a_real_hash_s_parameters_and_lengths() -> None:
    real, dummy = _parts(hash_password("một mật khẩu dài")), _parts(DUMMY_HASH)
    assert dummy[:4] == real[:4]  # scheme, N, r, p: scrypt does the same work
    assert [len(p) for p in dummy[4:]] == [len(p) for p in real[4:]]  # salt and digest


def test_no_password_matches_the_stand_in_hash() -> None:
    for password in ("", "dummy password for constant-time failures", "a" * 64):
        assert verify_password(password, DUMMY_HASH) is False
    assert verify_password("một mật khẩu dài", hash_password("một mật khẩu dài")) is True


def test_an_unknown_account_and_a_wrong_password_get_the_same_answer(services) -> None:
    make_user(services, name="nguoi-that")
    with pytest.raises(Unauthenticated) as unknown:
        services.accounts.authenticate("khong-ton-tai", PASSWORD)
    with pytest.raises(Unauthenticated) as wrong:
        services.accounts.authenticate("nguoi-that", PASSWORD + "x")
    assert str(unknown.value) == str(wrong.value) == "bad credentials"
    assert services.accounts.authenticate("nguoi-that", PASSWORD).name == "nguoi-that"
