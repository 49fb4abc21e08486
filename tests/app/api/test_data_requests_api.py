"""Data requests through the REST API (issue 21): public reads, asking with a token."""

from __future__ import annotations

from datasets.data_requests import THROTTLE_COUNT, NewRequest
from publishers import ANONYMOUS, Role
from tests.app.api.conftest import Team
from tests.factories import actor, make_user

SECRET_EMAIL = "ban.doc.bi.mat@example.org"


def test_reads_are_public_and_never_hold_the_email(client, services, team: Team) -> None:
    anon = services.data_requests.ask(
        ANONYMOUS,
        NewRequest(title="Lịch cắt điện", organization=team.org.name, contact_email=SECRET_EMAIL),
        "client-a",
    )
    steward = actor(services, make_user(services, team.org, Role.STEWARD))
    services.data_requests.answer(steward, anon.id, "declined", "Thuộc ngành điện lực")
    listing = client.get("/api/v1/requests?status=declined&q=cat dien")
    assert listing.status_code == 200
    body = listing.get_json()
    assert body["total"] == 1 and body["next"] is None
    item = body["items"][0]
    assert item["title"] == "Lịch cắt điện" and item["status"] == "declined"
    assert item["answer"] == "Thuộc ngành điện lực" and item["requester"] is None
    assert client.get("/api/v1/requests?status=open").get_json()["total"] == 0
    one = client.get(f"/api/v1/requests/{anon.id}")
    assert [e["status"] for e in one.get_json()["history"]] == ["open", "declined"]
    for text in (listing.get_data(as_text=True), one.get_data(as_text=True)):
        assert SECRET_EMAIL not in text
    assert client.get("/api/v1/requests/khong-co").status_code == 404
    bad = client.get("/api/v1/requests?status=bogus")
    assert bad.status_code == 400 and "status must be one of" in bad.get_json()["error"]["message"]


def test_token_holders_ask_and_are_throttled(client, services, team: Team) -> None:
    anonymous = client.post("/api/v1/requests", json={"title": "Trạm sạc"})
    assert anonymous.status_code == 401
    read_only = client.post("/api/v1/requests", json={"title": "Trạm sạc"}, headers=team.read_only)
    assert read_only.status_code == 403
    missing = client.post("/api/v1/requests", json={"title": " "}, headers=team.publisher)
    assert missing.status_code == 422
    assert missing.get_json()["error"]["fields"] == {"title": ["required"]}
    made = client.post(
        "/api/v1/requests",
        json={"title": "Trạm sạc xe điện", "organization": team.org.name, "show_name": True},
        headers=team.publisher,
    )
    assert made.status_code == 201, made.get_json()
    shape = made.get_json()
    assert shape["status"] == "open" and shape["organization"] == team.org.name
    assert shape["requester"] and made.headers["Location"].endswith(f"/requests/{shape['id']}")
    for n in range(THROTTLE_COUNT - 1):
        ok = client.post("/api/v1/requests", json={"title": f"Yêu cầu {n}"}, headers=team.publisher)
        assert ok.status_code == 201
    throttled = client.post("/api/v1/requests", json={"title": "Nữa"}, headers=team.publisher)
    assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "3600"
    assert throttled.get_json()["error"]["code"] == "rate_limited"
    # Another account is not throttled by the first one's requests.
    assert (
        client.post("/api/v1/requests", json={"title": "Khác"}, headers=team.steward).status_code
        == 201
    )
    paged = client.get("/api/v1/requests?page_size=2").get_json()
    assert paged["total"] == THROTTLE_COUNT + 1 and len(paged["items"]) == 2
    assert "page=2" in paged["next"]
