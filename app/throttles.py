"""Throttles of the pages that guess passwords or send mail (sign-in, reset, registration).

They count in the API rate-limit store (``app.api.ratelimits``: a SQLite file shared by
the worker processes, or Redis), whose increments are atomic: an attempt is counted
*before* the password is checked, so concurrent requests cannot slip past the limit.

Sign-in (OWASP's "device cookie" scheme): every attempt counts against the client address
(``OPENDATA_SIGNIN_LIMIT_CLIENT``), and against the account
(``OPENDATA_SIGNIN_LIMIT_ACCOUNT``) in one of two buckets: browsers that signed in to
that account before (they carry a signed cookie naming it) and all other clients. An
attacker exhausts the second bucket only: the account's owner, from a known browser,
still signs in. A successful sign-in gives its attempt back.

Mail: password-reset and registration requests count per client address and per e-mail
address; over the limit nothing is sent.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from flask import Flask, Request
from itsdangerous import BadSignature, URLSafeSerializer
from limits import RateLimitItem, parse
from limits.storage import Storage
from limits.strategies import FixedWindowRateLimiter
from werkzeug.wrappers import Response

from app.config import Settings

DEVICE_COOKIE = "opendata_device"
DEVICE_MAX_ACCOUNTS = 5
DEVICE_COOKIE_DAYS = 365
_NAMESPACE = "throttle"


@dataclass(frozen=True)
class Attempt:
    """The outcome of counting one attempt: allowed, and when to retry when not."""

    allowed: bool
    retry_after: int = 0
    keys: tuple[tuple[RateLimitItem, tuple[str, ...]], ...] = ()


def _item(value: str) -> RateLimitItem | None:
    value = value.strip()
    return None if value in ("", "0") else parse(value.replace(" ", ""))


def _digest(text: str) -> str:
    # Keys hold no address or login in clear (the store is a file on disk).
    return hashlib.sha256(text.strip().lower().encode()).hexdigest()[:32]


class Throttles:
    """The sign-in and mail throttles on one shared counter store."""

    def __init__(self, storage: Storage, settings: Settings, secret_key: str) -> None:
        self._storage = storage
        self._limiter = FixedWindowRateLimiter(storage)
        self._signin_client = _item(settings.signin_limit_client)
        self._signin_account = _item(settings.signin_limit_account)
        self._mail_address = _item(settings.mail_limit_address)
        self._mail_client = _item(settings.mail_limit_client)
        self._devices = URLSafeSerializer(secret_key, salt="opendata-known-device")
        self._secure = settings.site_url.startswith("https://")

    def _take(self, checks: list[tuple[RateLimitItem | None, tuple[str, ...]]]) -> Attempt:
        taken: list[tuple[RateLimitItem, tuple[str, ...]]] = []
        for item, ids in checks:
            if item is None:
                continue
            if not self._limiter.hit(item, _NAMESPACE, *ids):
                reset, _left = self._limiter.get_window_stats(item, _NAMESPACE, *ids)
                return Attempt(False, max(1, math.ceil(reset - time.time())), tuple(taken))
            taken.append((item, ids))
        return Attempt(True, 0, tuple(taken))

    def give_back(self, attempt: Attempt, *, bucket: str = "account") -> None:
        """Return the attempt's count in ``bucket`` (a sign-in that succeeded)."""
        for item, ids in attempt.keys:
            key = item.key_for(_NAMESPACE, *ids)
            if ids[0] == bucket and self._storage.get(key) > 0:  # not into a new window
                self._storage.incr(key, item.get_expiry(), amount=-1)

    # -- sign-in ---------------------------------------------------------------------

    def signin(self, client: str, login: str, known_device: bool) -> Attempt:
        """Count a sign-in attempt of ``client`` on ``login`` (an account name or address)."""
        bucket = "known" if known_device else "other"
        return self._take(
            [
                (self._signin_client, ("client", _digest(client))),
                (self._signin_account, ("account", _digest(login), bucket)),
            ]
        )

    def known_accounts(self, request: Request) -> list[str]:
        """The ids of the accounts that signed in from this browser before."""
        raw = request.cookies.get(DEVICE_COOKIE, "")
        if not raw:
            return []
        try:
            value = self._devices.loads(raw)
        except BadSignature:
            return []
        return [str(v) for v in value] if isinstance(value, list) else []

    def remember_device(self, request: Request, response: Response, user_id: str) -> None:
        """Mark this browser as one ``user_id`` signed in from."""
        known = [u for u in self.known_accounts(request) if u != user_id]
        known = [user_id, *known][:DEVICE_MAX_ACCOUNTS]
        response.set_cookie(
            DEVICE_COOKIE,
            self._devices.dumps(known),
            max_age=DEVICE_COOKIE_DAYS * 86400,
            httponly=True,
            secure=self._secure,
            samesite="Lax",
        )

    # -- mail --------------------------------------------------------------------------

    def mail(self, client: str, address: str) -> Attempt:
        """Count a request that would send a mail to ``address`` from ``client``."""
        return self._take(
            [
                (self._mail_client, ("mail-client", _digest(client))),
                (self._mail_address, ("mail-address", _digest(address))),
            ]
        )


def init_app(app: Flask, settings: Settings, storage: Storage) -> None:
    """Build the throttles of ``app`` on the rate limits' counter ``storage``.

    They belong to the application, not to the composed services: their limits and the
    device cookie's ``Secure`` flag follow the settings the application was created with.
    """
    app.extensions["opendata_throttles"] = Throttles(storage, settings, str(app.secret_key))


def throttles() -> Throttles:
    """Return the throttles of the running application."""
    from flask import current_app

    found: Throttles = current_app.extensions["opendata_throttles"]
    return found
