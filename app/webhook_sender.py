"""The HTTP side of webhooks (issue 23): the harvesters' guarded session, used for POSTs.

Receiver addresses are checked when the socket opens (no private, loopback or link-local
address unless ``OPENDATA_WEBHOOK_ALLOWED_HOSTS`` names it; DNS rebinding cannot slip one
through), redirects are not followed (a 3xx is a failure), a POST ends after 5 s to
connect and 10 s per read, and at most ``EXCERPT_BYTES`` of the answer are read for the
log (never more of the body).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from urllib.parse import urlsplit

from datasets.webhook_delivery import Outcome
from harvesters import AddressPolicy, HttpLimits, open_session
from harvesters.errors import AddressRefused, HarvestError
from harvesters.http import resolve_checked

EXCERPT_BYTES = 200
USER_AGENT = "opendata-portal-webhooks/1.0"
_LIMITS = HttpLimits(
    connect_timeout=5.0,
    read_timeout=10.0,
    total_timeout=15.0,
    max_redirects=0,
    max_bytes=64 * 1024,
    user_agent=USER_AGENT,
)


class GuardedSender:
    """A ``datasets.webhook_delivery.Sender`` on the guarded session."""

    def __init__(self, allowed_hosts: str) -> None:
        self._policy = AddressPolicy.from_setting(allowed_hosts)

    def check(self, url: str) -> str | None:
        """``private_address`` when the host resolves to a refused address, ``unresolvable``
        when it does not resolve; None when the URL may receive webhooks."""
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            resolve_checked(parts.hostname or "", port, self._policy)
        except AddressRefused:
            return "private_address"
        except HarvestError:
            return "unresolvable"
        return None

    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> Outcome:
        """POST once; every problem becomes an ``Outcome`` with an error code."""
        started = time.monotonic()
        session = open_session(self._policy, _LIMITS)
        try:
            response = session.post(
                url, data=body, headers=dict(headers), allow_redirects=False, stream=True
            )
            try:
                raw = response.raw.read(EXCERPT_BYTES, decode_content=False) or b""
            except Exception:
                raw = b""
            finally:
                response.close()
            excerpt = raw.decode("utf-8", "replace")
            status = response.status_code
            error = "" if 200 <= status < 300 else f"http_{status}"
            return Outcome(status, excerpt, error, _ms(started))
        except HarvestError as exc:
            return Outcome(None, "", exc.code[:40], _ms(started))
        except Exception:
            return Outcome(None, "", "connection", _ms(started))
        finally:
            session.close()


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
