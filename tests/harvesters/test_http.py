"""The guarded session against real local servers: address refusal, redirects, limits."""

from __future__ import annotations

import ipaddress

import pytest

from harvesters import AddressPolicy, AddressRefused, HttpLimits, open_session
from harvesters.errors import RedirectRefused, ResponseTooLarge, SourceUnavailable
from harvesters.http import download, get_bytes
from tests.servers import Recorded, ReplayServer

LOCAL = AddressPolicy.from_setting("127.0.0.1")


def _redirect(to: str) -> Recorded:
    return Recorded(302, b"", {"Location": to})


def test_loopback_is_refused_without_the_allow_list() -> None:
    with ReplayServer({"/data.json": ReplayServer.json({"dataset": []})}) as server:
        with pytest.raises(AddressRefused):
            get_bytes(open_session(AddressPolicy()), f"{server.url}/data.json")
        assert server.requests == []  # refused before any byte was sent
        body, _type = get_bytes(open_session(LOCAL), f"{server.url}/data.json")
        assert body == b'{"dataset": []}'


def test_localhost_name_is_refused_after_resolution() -> None:
    with ReplayServer({"/x": Recorded(200, b"ok")}) as server:
        port = server.url.rsplit(":", 1)[1]
        with pytest.raises(AddressRefused):
            get_bytes(open_session(AddressPolicy()), f"http://localhost:{port}/x")


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.2:9/",
        "http://10.1.2.3/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://224.0.0.1/",
        "http://192.168.0.1/",
    ],
)
def test_redirects_to_private_addresses_are_refused(target: str) -> None:
    # the first hop (127.0.0.1) is allowed; the redirect target is not
    with ReplayServer({"/start": _redirect(target)}) as server, pytest.raises(AddressRefused):
        get_bytes(open_session(LOCAL), f"{server.url}/start")


def test_allow_list_accepts_cidr_ranges() -> None:
    policy = AddressPolicy.from_setting("10.0.0.0/8, intranet.example")
    assert policy.is_allowed("x", ipaddress.ip_address("10.20.30.40"))
    assert policy.is_allowed("intranet.example", ipaddress.ip_address("192.168.1.1"))
    assert not policy.is_allowed("x", ipaddress.ip_address("192.168.1.1"))
    assert not policy.is_allowed("x", ipaddress.ip_address("::ffff:127.0.0.1"))
    assert AddressPolicy().is_allowed("x", ipaddress.ip_address("8.8.8.8"))


def test_redirect_loops_and_chains_are_stopped() -> None:
    with ReplayServer({"/a": _redirect("/b"), "/b": _redirect("/a")}) as server:
        with pytest.raises(RedirectRefused) as loop:
            get_bytes(open_session(LOCAL), f"{server.url}/a")
        assert loop.value.code == "redirect_loop"
        assert server.requests == ["/a", "/b"]
    chain = {f"/r{i}": _redirect(f"/r{i + 1}") for i in range(10)}
    with ReplayServer(chain) as server:
        with pytest.raises(RedirectRefused) as many:
            get_bytes(open_session(LOCAL, HttpLimits(max_redirects=3)), f"{server.url}/r0")
        assert many.value.code == "too_many_redirects"
    with (
        ReplayServer({"/f": _redirect("file:///etc/passwd")}) as server,
        pytest.raises(RedirectRefused),
    ):
        get_bytes(open_session(LOCAL), f"{server.url}/f")


def test_credentials_are_dropped_when_a_redirect_leaves_the_host() -> None:
    with ReplayServer({"/ok": Recorded(200, b"fine")}) as other:
        first = ReplayServer({"/go": _redirect(f"{other.url}/ok")})
        with first:
            session = open_session(LOCAL)
            response = session.get(f"{first.url}/go", headers={"Authorization": "secret-token"})
        assert response.content == b"fine"
        assert "Authorization" not in session.headers
        assert response.request.headers.get("Authorization") is None


def test_hung_server_times_out() -> None:
    with ReplayServer({"/slow": Recorded(200, b"late", delay=2.0)}) as server:
        session = open_session(LOCAL, HttpLimits(connect_timeout=1, read_timeout=0.3))
        with pytest.raises(SourceUnavailable) as timeout:
            get_bytes(session, f"{server.url}/slow")
        assert timeout.value.code == "timeout" and timeout.value.transient


def test_oversized_bodies_are_refused(tmp_path) -> None:
    big = Recorded(200, b"x" * 5000, {"Content-Type": "text/csv"})
    with ReplayServer({"/big.csv": big}) as server:
        session = open_session(LOCAL, HttpLimits(max_bytes=1000))
        with pytest.raises(ResponseTooLarge):
            get_bytes(session, f"{server.url}/big.csv")
        dest = tmp_path / "big.csv"
        with pytest.raises(ResponseTooLarge):
            download(session, f"{server.url}/big.csv", dest)
        assert not dest.exists()


def test_server_errors_are_transient_and_client_errors_are_not() -> None:
    with ReplayServer({"/e": Recorded(503, b"busy"), "/n": Recorded(404, b"no")}) as server:
        session = open_session(LOCAL)
        with pytest.raises(SourceUnavailable) as busy:
            get_bytes(session, f"{server.url}/e")
        assert busy.value.code == "http_503"
        with pytest.raises(Exception) as missing:
            get_bytes(session, f"{server.url}/n")
        assert getattr(missing.value, "code", "") == "http_404"
        assert not getattr(missing.value, "transient", True)


def test_our_user_agent_is_sent() -> None:
    with ReplayServer({"/ua": Recorded(200, b"ok")}) as server:
        response = open_session(LOCAL).get(f"{server.url}/ua")
        assert response.request.headers["User-Agent"].startswith("opendata-portal-harvester/")
