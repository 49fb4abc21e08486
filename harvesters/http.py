"""The one HTTP session factory of the harvesters (STYLE §6).

Every request made while harvesting goes through ``open_session``: timeouts, a redirect
limit with loop detection, refusal of private, loopback, link-local, multicast and other
non-global addresses unless allow-listed (``OPENDATA_HARVEST_ALLOWED_HOSTS``), a cap on
response size, and the portal's user agent. The address check runs when the socket is
opened: the host name is resolved, every address is checked, and the connection goes to
the checked address itself, so a DNS answer that changes between check and connect (DNS
rebinding) cannot slip a private address through. Redirects open new connections, so
each hop is checked the same way.

Credentials are never stored on the session: callers pass them per request, and they are
dropped when a redirect leaves the original host.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from harvesters.errors import (
    AddressRefused,
    BadResponse,
    HarvestError,
    RedirectRefused,
    ResponseTooLarge,
    SourceUnavailable,
)

USER_AGENT = "opendata-portal-harvester/0.1 (+https://github.com/; open data portal harvester)"
_CREDENTIAL_HEADERS = ("authorization", "x-ckan-api-key", "cookie", "proxy-authorization")
IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class AddressPolicy:
    """Which addresses harvesting may reach: global ones, plus the allow-list."""

    networks: tuple[IpNetwork, ...] = ()
    hosts: frozenset[str] = frozenset()

    @classmethod
    def from_setting(cls, value: str) -> AddressPolicy:
        """Parse ``OPENDATA_HARVEST_ALLOWED_HOSTS``: comma-separated host names, IPs or CIDRs."""
        networks: list[IpNetwork] = []
        hosts: set[str] = set()
        for item in (part.strip() for part in value.split(",")):
            if not item:
                continue
            try:
                networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                hosts.add(item.lower().rstrip("."))
        return cls(tuple(networks), frozenset(hosts))

    def is_allowed(self, host: str, address: IpAddress) -> bool:
        """Return whether a connection to ``address`` (resolved from ``host``) is allowed."""
        if host.lower().rstrip(".") in self.hosts:
            return True
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        if any(address in network for network in self.networks):
            return True
        return address.is_global and not address.is_multicast


def resolve_checked(host: str, port: int, policy: AddressPolicy) -> list[tuple[Any, ...]]:
    """Resolve ``host`` and return its address infos; raise ``AddressRefused`` if any is refused.

    Refusing when *any* answer is private (not only when all are) keeps a host that mixes
    public and private answers from being used to reach the private one.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise SourceUnavailable(f"cannot resolve the host ({exc.strerror})") from None
    if not infos:
        raise SourceUnavailable("the host has no address")
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if not policy.is_allowed(host, address):
            raise AddressRefused(
                "the host resolves to a private or loopback address that is not allow-listed"
            )
    return infos


def _connect(host: str, port: int, timeout: Any, policy: AddressPolicy) -> socket.socket:
    last: OSError | None = None
    for family, kind, proto, _name, address in resolve_checked(host, port, policy):
        sock = socket.socket(family, kind, proto)
        try:
            if isinstance(timeout, int | float):
                sock.settimeout(timeout)
            sock.connect(address)  # the checked address itself, not a new lookup
            return sock
        except OSError as exc:
            sock.close()
            last = exc
    assert last is not None
    raise last


def _guarded_pools(
    policy: AddressPolicy,
) -> dict[str, type[HTTPConnectionPool]]:
    class GuardedHTTPConnection(HTTPConnection):
        def _new_conn(self) -> socket.socket:
            return _connect(self._dns_host, self.port, self.timeout, policy)

    class GuardedHTTPSConnection(HTTPSConnection):
        def _new_conn(self) -> socket.socket:
            return _connect(self._dns_host, self.port, self.timeout, policy)

    class GuardedHTTPPool(HTTPConnectionPool):
        ConnectionCls = GuardedHTTPConnection

    class GuardedHTTPSPool(HTTPSConnectionPool):
        ConnectionCls = GuardedHTTPSConnection

    return {"http": GuardedHTTPPool, "https": GuardedHTTPSPool}


class _GuardedAdapter(HTTPAdapter):
    def __init__(self, policy: AddressPolicy) -> None:
        self._policy = policy
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _guarded_pools(self._policy)


@dataclass(frozen=True)
class HttpLimits:
    """Timeouts in seconds, the redirect limit and the response size cap in bytes."""

    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    total_timeout: float = 120.0  # a whole body, however slowly it trickles
    max_redirects: int = 5
    max_bytes: int = 50 * 1024 * 1024
    user_agent: str = USER_AGENT
    extra: Mapping[str, str] = field(default_factory=dict)


class HarvestSession(requests.Session):
    """A ``requests.Session`` that follows redirects itself and caps bodies (see module doc)."""

    def __init__(self, policy: AddressPolicy, limits: HttpLimits) -> None:
        super().__init__()
        self.trust_env = False  # no proxies or .netrc credentials from the environment
        self.limits = limits
        self.max_redirects = limits.max_redirects
        self.headers["User-Agent"] = limits.user_agent
        adapter = _GuardedAdapter(policy)
        self.mount("http://", adapter)
        self.mount("https://", adapter)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        """Send with the limits; follow redirects hop by hop; buffer unless ``stream``."""
        follow = kwargs.pop("allow_redirects", True)
        stream = bool(kwargs.pop("stream", False))
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = (self.limits.connect_timeout, self.limits.read_timeout)
        response = self._send_one(request, **kwargs)
        seen = {request.url}
        hops = 0
        while follow and response.is_redirect:
            target = urljoin(response.url, response.headers.get("location", ""))
            response.close()
            hops += 1
            if urlsplit(target).scheme not in ("http", "https"):
                raise RedirectRefused("redirect to a non-HTTP address")
            if target in seen:
                raise RedirectRefused("redirect loop", code="redirect_loop")
            if hops > self.limits.max_redirects:
                raise RedirectRefused("too many redirects", code="too_many_redirects")
            seen.add(target)
            request = _redirected(request, response.status_code, target)
            response = self._send_one(request, **kwargs)
        if not stream:
            _buffer(response, self.limits)
        return response

    def _send_one(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        try:
            return super().send(request, allow_redirects=False, stream=True, **kwargs)
        except HarvestError:
            raise
        except requests.Timeout:
            raise SourceUnavailable("the source timed out", code="timeout") from None
        except requests.ConnectionError as exc:
            cause = exc.__context__
            while cause is not None:
                if isinstance(cause, HarvestError):
                    raise cause from None
                cause = cause.__context__
            raise SourceUnavailable("cannot connect to the source", code="connection") from None
        except requests.RequestException:
            raise BadResponse("the request failed") from None


def _redirected(
    request: requests.PreparedRequest, status: int, target: str
) -> requests.PreparedRequest:
    new = request.copy()
    if status == 303 or (status in (301, 302) and request.method == "POST"):
        new.method = "GET"
        new.body = None
        for header in ("Content-Length", "Content-Type", "Transfer-Encoding"):
            new.headers.pop(header, None)
    if urlsplit(target).netloc != urlsplit(request.url or "").netloc:
        for header in list(new.headers):
            if header.lower() in _CREDENTIAL_HEADERS:
                del new.headers[header]
    new.prepare_url(target, None)
    return new


def iter_body(response: requests.Response, limits: HttpLimits) -> Iterator[bytes]:
    """Yield the body in chunks; raise when it exceeds the cap or the total time limit."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limits.max_bytes:
        response.close()
        raise ResponseTooLarge("the response is larger than the limit")
    deadline = time.monotonic() + limits.total_timeout
    size = 0
    try:
        for chunk in response.raw.stream(64 * 1024, decode_content=True):
            size += len(chunk)
            if size > limits.max_bytes:
                raise ResponseTooLarge("the response is larger than the limit")
            if time.monotonic() > deadline:
                raise SourceUnavailable("the source is too slow", code="timeout")
            yield chunk
    except HarvestError:
        response.close()
        raise
    except Exception:
        response.close()
        raise SourceUnavailable("the connection broke while reading", code="timeout") from None


def _buffer(response: requests.Response, limits: HttpLimits) -> None:
    # requests' own slots: the body is read here, under the cap, instead of by requests.
    response._content = b"".join(iter_body(response, limits))
    # requests' private flag: the body was read by our size-capped reader, not requests.
    response._content_consumed = True  # type: ignore[attr-defined]


def open_session(policy: AddressPolicy, limits: HttpLimits | None = None) -> HarvestSession:
    """Return a new guarded session (one per harvest job; never shared between sources)."""
    return HarvestSession(policy, limits or HttpLimits())


def check_status(response: requests.Response) -> None:
    """Raise ``SourceUnavailable`` for 5xx and 429, ``BadResponse`` for other errors."""
    status = response.status_code
    if status >= 500 or status == 429:
        raise SourceUnavailable(f"the source answered HTTP {status}", code=f"http_{status}")
    if status >= 400:
        raise BadResponse(f"the source answered HTTP {status}", code=f"http_{status}")


def get_bytes(
    session: HarvestSession, url: str, headers: Mapping[str, str] | None = None
) -> tuple[bytes, str]:
    """GET ``url`` and return its body and content type (errors raised as harvest errors)."""
    response = session.get(url, headers=dict(headers or {}))
    check_status(response)
    return response.content, response.headers.get("content-type", "")


def download(
    session: HarvestSession,
    url: str,
    dest: Path,
    headers: Mapping[str, str] | None = None,
) -> tuple[int, str]:
    """Stream ``url`` to ``dest`` under the size cap; return (size, content type)."""
    response = session.get(url, headers=dict(headers or {}), stream=True)
    check_status(response)
    size = 0
    try:
        with dest.open("wb") as out:
            for chunk in iter_body(response, session.limits):
                out.write(chunk)
                size += len(chunk)
    except BaseException:
        dest.unlink(missing_ok=True)
        raise
    return size, response.headers.get("content-type", "")


def auth_headers(secret: str | None, names: Iterable[str] = ("Authorization",)) -> dict[str, str]:
    """Return per-request credential headers for ``secret`` (empty without one)."""
    return dict.fromkeys(names, secret) if secret else {}
