"""Password hashing with scrypt (memory-hard, in the standard library)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

# N=2**15, r=8 costs ~32 MiB and ~60 ms per hash on the reference machine: slow enough
# to make offline guessing expensive, fast enough for an interactive sign-in.
_N, _R, _P = 2**15, 8, 1
_MAXMEM = 64 * 1024 * 1024
MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    """Return a salted scrypt hash of ``password`` in a self-describing string."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, maxmem=_MAXMEM)
    enc = base64.b64encode
    return f"scrypt${_N}${_R}${_P}${enc(salt).decode()}${enc(digest).decode()}"


# A well-formed hash that no password matches (its digest is not scrypt's output for any
# input one could find), with the same cost parameters as a real one: checking a sign-in
# for an unknown account against it costs what checking a real account costs. A constant,
# so that importing this module computes no hash (every process start would pay ~60 ms).
DUMMY_HASH = (
    f"scrypt${_N}${_R}${_P}${base64.b64encode(bytes(16)).decode()}"
    f"${base64.b64encode(bytes(64)).decode()}"
)


def verify_password(password: str, stored: str) -> bool:
    """Return True when ``password`` matches ``stored``; False for any malformed hash."""
    try:
        scheme, n, r, p, salt_b64, digest_b64 = stored.split("$")
        if scheme != "scrypt":
            return False
        salt, expected = base64.b64decode(salt_b64), base64.b64decode(digest_b64)
        digest = hashlib.scrypt(
            password.encode(), salt=salt, n=int(n), r=int(r), p=int(p), maxmem=_MAXMEM
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest, expected)


def password_problems(password: str) -> list[str]:
    """Return codes of what makes ``password`` too weak (empty when it is acceptable)."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append("password_too_short")
    if password.isdigit() or password.isalpha():
        problems.append("password_too_simple")
    return problems
