"""Error shapes and status codes of the REST API: 401, 403, 404, 409, 412, 413, 422, 428."""

from __future__ import annotations

import io

from tests.app.api.conftest import Team, bearer, create_draft


def _error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert body["error"]["code"] == code and body["error"]["message"]
    return body["error"]


def test_writes_need_a_valid_token(client, services, team: Team) -> None:
    _error(client.post("/api/v1/datasets", json={"title": "x"}), 401, "unauthorized")
    _error(client.get("/api/v1/datasets", headers=bearer("odp_forged")), 401, "unauthorized")
    name = create_draft(client, team)
    revoked_owner = services.accounts.create_user(
        "revoked1", "revoked1@example.org", "pass-word-123"
    )
    token = services.tokens.create(revoked_owner.id, "old")
    services.tokens.revoke(revoked_owner.id)
    _error(client.get(f"/api/v1/datasets/{name}", headers=bearer(token)), 401, "unauthorized")
    expired = services.tokens.create(revoked_owner.id, "short", expires_days=1)
    from datetime import UTC, datetime, timedelta

    services.tokens._clock = lambda: datetime.now(UTC) + timedelta(days=2)
    _error(client.get("/api/v1/organizations", headers=bearer(expired)), 401, "unauthorized")


def test_read_only_token_and_outsiders_are_forbidden(client, team: Team) -> None:
    name = create_draft(client, team)
    _error(
        client.post(
            "/api/v1/datasets",
            json={"organization": team.org.name, "title": "Khác"},
            headers=team.read_only,
        ),
        403,
        "forbidden",
    )
    _error(
        client.post(
            "/api/v1/datasets",
            json={"organization": team.org.name, "title": "Khác"},
            headers=team.outsider,
        ),
        403,
        "forbidden",
    )
    # A draft does not exist for someone outside its organization.
    _error(client.get(f"/api/v1/datasets/{name}", headers=team.outsider), 404, "not_found")
    _error(client.post(f"/api/v1/datasets/{name}/submit", headers=team.outsider), 404, "not_found")


def test_patch_needs_if_match_and_refuses_a_stale_one(client, team: Team) -> None:
    name = create_draft(client, team)
    url = f"/api/v1/datasets/{name}"
    first = client.get(url, headers=team.publisher)
    etag = first.headers["ETag"]
    _error(
        client.patch(url, json={"title": "Mới"}, headers=team.publisher),
        428,
        "precondition_required",
    )
    edited = client.patch(
        url,
        json={"title_translated": {"en": "New title"}},
        headers={**team.publisher, "If-Match": etag},
    )
    assert edited.status_code == 200
    body = edited.get_json()
    assert body["title_translated"] == {"vi": "Danh sách hộ dân phường", "en": "New title"}
    assert edited.headers["ETag"] != etag
    stale = client.patch(url, json={"title": "Cũ"}, headers={**team.steward, "If-Match": etag})
    _error(stale, 412, "precondition_failed")
    assert client.get(url, headers=team.publisher).get_json()["title"] == "Danh sách hộ dân phường"
    again = client.get(url, headers={**team.publisher, "If-None-Match": edited.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""


def test_invalid_metadata_is_422_naming_the_field(client, team: Team) -> None:
    response = client.post(
        "/api/v1/datasets",
        json={"organization": team.org.name, "title": "", "license_id": "nope"},
        headers=team.publisher,
    )
    error = _error(response, 422, "validation_failed")
    assert error["fields"] == {"title_vi": ["required"], "license_id": ["unknown_license"]}
    error = _error(
        client.post(
            "/api/v1/datasets",
            json={"organization": team.org.name, "tags": "x"},
            headers=team.publisher,
        ),
        422,
        "validation_failed",
    )
    assert error["fields"] == {"tags": ["list_of_strings_expected"]}


def test_submit_blocked_and_transition_conflicts(client, team: Team) -> None:
    name = create_draft(client, team)
    blocked = _error(
        client.post(f"/api/v1/datasets/{name}/submit", headers=team.publisher),
        422,
        "validation_failed",
    )
    assert blocked["reasons"] == [{"code": "no_resources"}]
    _error(client.post(f"/api/v1/datasets/{name}/approve", headers=team.steward), 409, "conflict")
    reject = client.post(
        f"/api/v1/datasets/{name}/reject", json={"comment": " "}, headers=team.steward
    )
    assert _error(reject, 422, "validation_failed")["fields"] == {"comment": ["required"]}
    taken = client.post(
        "/api/v1/datasets",
        json={"organization": team.org.name, "title": "x", "name": name},
        headers=team.publisher,
    )
    _error(taken, 409, "conflict")
    assert client.delete(f"/api/v1/datasets/{name}", headers=team.publisher).status_code == 204
    _error(client.get(f"/api/v1/datasets/{name}", headers=team.publisher), 404, "not_found")


def test_upload_over_the_limit_is_413(client, team: Team) -> None:
    name = create_draft(client, team)
    big = io.BytesIO(b"a,b\n" + b"1,2\n" * (5 * 1024 * 1024 // 4 + 10))  # over the 5 MB test limit
    response = client.post(
        f"/api/v1/datasets/{name}/resources",
        data={"file": (big, "big.csv")},
        headers=team.publisher,
    )
    assert "5 MB" in _error(response, 413, "payload_too_large")["message"]
    resources = client.get(f"/api/v1/datasets/{name}", headers=team.publisher).get_json()
    assert resources["resources"] == []


def test_records_errors_name_the_problem(client, services) -> None:
    from tests.factories import publish_sample

    dataset, resource_id, _p, _s = publish_sample(services)
    base = f"/api/v1/datasets/{dataset.name}/resources/{resource_id}/records"
    assert "nope" in _error(client.get(base + "?nope=1"), 400, "bad_request")["message"]
    assert "_bogus" in _error(client.get(base + "?_bogus=1"), 400, "bad_request")["message"]
    _error(client.get(base + "?_limit=10001"), 400, "bad_request")
    _error(client.get(base + "?_sort=-missing"), 400, "bad_request")
    _error(client.get(base + "?_format=pdf"), 400, "bad_request")
    _error(client.get(base + "?_cursor=%%%"), 400, "bad_request")
    _error(client.get("/api/v1/changes?since=yesterday"), 400, "bad_request")
    _error(
        client.get(f"/api/v1/datasets/{dataset.name}/resources/missing/records"), 404, "not_found"
    )
