"""API request bodies are bounded: a byte cap checked before and while reading, a depth cap."""

from __future__ import annotations

import json
import re
import socket

import pytest
import requests

from app.json_body import MAX_JSON_DEPTH
from tests.app.api.conftest import Team
from tests.servers import LiveServer

CAP = 1024 * 1024  # OPENDATA_MAX_JSON_BYTES by default


def _raw(server: LiveServer, head: str, body: bytes) -> tuple[int, dict]:
    """Send ``head`` and ``body`` over one socket; return the status and the JSON answer."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(head.encode() + body)
        data = b""
        while b"\r\n\r\n" not in data:
            data += sock.recv(65536)
        header, _, payload = data.partition(b"\r\n\r\n")
        found = re.search(rb"(?i)content-length: *(\d+)", header)
        assert found, header
        length = int(found.group(1))
        while len(payload) < length:
            payload += sock.recv(65536)
    return int(header.split()[1]), json.loads(payload)


def _head(path: str, token: str, extra: str) -> str:
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {token}\r\n"
        f"Content-Type: application/json\r\nConnection: close\r\n{extra}\r\n"
    )


def _chunked(total: int) -> bytes:
    piece = b"[" + b"1," * 8000 + b"1]"
    out = b""
    while len(out) < total:
        out += f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    return out + b"0\r\n\r\n"


@pytest.mark.parametrize("path", ["/api/v1/datasets", "/api/3/action/package_create"])
def test_a_body_over_the_cap_is_refused_before_it_is_read(
    live_server: LiveServer, team: Team, path: str
) -> None:
    # 31 MB announced, 64 KB sent: the answer comes without reading the rest.
    head = _head(path, team.publisher["Authorization"], "Content-Length: 31000000\r\n")
    status, answer = _raw(live_server, head, b"{" + b" " * 65535)
    assert status == 413
    if path.startswith("/api/v1"):
        assert answer["error"]["code"] == "payload_too_large"
        assert str(CAP) in answer["error"]["message"]
    else:
        assert answer["success"] is False
        assert answer["error"]["__type"] == "Validation Error"
        assert str(CAP) in answer["error"]["message"]


@pytest.mark.parametrize("path", ["/api/v1/datasets", "/api/3/action/package_create"])
def test_a_chunked_body_is_stopped_at_the_cap(
    live_server: LiveServer, team: Team, path: str
) -> None:
    head = _head(path, team.publisher["Authorization"], "Transfer-Encoding: chunked\r\n")
    status, answer = _raw(live_server, head, _chunked(CAP + 20_000))
    assert status == 413
    message = answer["error"]["message"]
    assert str(CAP) in message


@pytest.mark.parametrize("path", ["/api/v1/datasets", "/api/3/action/package_create"])
def test_json_nested_too_deep_is_a_bad_request(
    live_server: LiveServer, team: Team, path: str
) -> None:
    body = '{"title": ' + "[" * 50_000 + "]" * 50_000 + "}"  # was a 500 (RecursionError)
    answer = requests.post(
        live_server.url + path,
        data=body,
        headers={**team.publisher, "Content-Type": "application/json"},
        cookies={"lang": "en"},
        timeout=30,
    )
    assert answer.status_code == 400
    text = answer.json()["error"]["message"] if path.startswith("/api/v1") else answer.json()
    assert f"JSON nested deeper than {MAX_JSON_DEPTH} levels" in text
    shallow = '{"title": ' + "[" * (MAX_JSON_DEPTH - 1) + "]" * (MAX_JSON_DEPTH - 1) + "}"
    answer = requests.post(
        live_server.url + path,
        data=shallow,
        headers={**team.publisher, "Content-Type": "application/json"},
        timeout=30,
    )
    assert answer.status_code != 400 or "nested" not in answer.text


@pytest.mark.parametrize(
    ("path", "body"),
    [
        # Seen by Schemathesis on PostgreSQL: a 500, the organization lookup sent NUL to it.
        (
            "/api/v1/datasets/bai-do-xe/access-requests",
            {"purpose": "tra cứu", "organization": "A\x00h"},
        ),
        ("/api/v1/datasets", {"title": "Bãi đỗ xe", "tags": ["xe\x00"]}),
        ("/api/3/action/package_create", {"name": "bai-do-xe", "notes": {"k\x00": "v"}}),
    ],
)
def test_a_nul_character_anywhere_in_the_json_is_a_bad_request(
    live_server: LiveServer, team: Team, path: str, body: dict
) -> None:
    answer = requests.post(
        live_server.url + path,
        data=json.dumps(body),
        headers={**team.publisher, "Content-Type": "application/json"},
        timeout=30,
    )
    assert answer.status_code == 400, answer.text
    text = answer.json()["error"]["message"] if path.startswith("/api/v1") else answer.json()
    assert "NUL character" in str(text)


def test_the_text_backslash_u0000_is_not_a_nul(live_server: LiveServer, team: Team) -> None:
    title = "Mã \\u0000 trong tiêu đề"  # a backslash, then "u0000": six ordinary characters
    answer = requests.post(
        live_server.url + "/api/v1/datasets",
        data=json.dumps({"title": title, "organization": team.org.name}),
        headers={**team.publisher, "Content-Type": "application/json"},
        timeout=30,
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["title"] == title


@pytest.mark.parametrize(
    "path",
    [
        # Each was a 500 on PostgreSQL: the lookup sent NUL to it.
        "/api/3/action/package_show?id=a%00b",
        "/api/3/action/datastore_search?resource_id=a%00b",
        "/api/3/action/user_show?id=a%00",
    ],
)
def test_a_nul_character_in_a_ckan_parameter_is_a_bad_request(
    live_server: LiveServer, team: Team, path: str
) -> None:
    answer = requests.get(live_server.url + path, headers=team.steward, timeout=30)
    assert answer.status_code == 400, answer.text
    assert "NUL character" in str(answer.json())
    form = requests.post(
        live_server.url + path.split("?")[0], data={"id": "a\x00b"}, headers=team.steward
    )
    assert form.status_code == 400, form.text
