"""Shared data through the REST API (issue 18): levels on the dataset shape, the projection of
each reader, requests, grants, revocation, expiry, tokens limited to datasets, the access log
and the mails. The dataset is the restricted one of the domain tests (an agency projection
that keeps names, hashes citizen IDs and masks phones)."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta

from click.testing import CliRunner

from app.cli import main
from app.services import Services
from publishers import Actor, Role, Scope
from tests.app.api.conftest import bearer
from tests.conftest import csrf_from
from tests.datasets.test_sharing import Portal
from tests.factories import PASSWORD, publish_sample


class Api:
    """The restricted portal with a token for each of its people."""

    def __init__(self, services: Services, client) -> None:
        self.portal = Portal(services)
        self.services, self.client = services, client
        p = self.portal
        self.steward, self.publisher = self.token(p.steward), self.token(p.publisher)
        self.business, self.agency = self.token(p.business), self.token(p.agency)
        self.admin = self.token(p.admin)
        self.url = f"/api/v1/datasets/{p.name}"

    def token(self, who: Actor, **options) -> dict[str, str]:
        assert who.user_id is not None
        return bearer(self.services.tokens.create(who.user_id, "script", **options))

    def name_of(self, who: Actor) -> str:
        assert who.user_id is not None
        user = self.services.accounts.find_user(who.user_id)
        assert user is not None
        return user.name

    def ask(self, headers: dict[str, str], **body):
        return self.client.post(f"{self.url}/access-requests", json=body, headers=headers)

    def approve(self, request_id: str, headers: dict[str, str], **body):
        path = f"/api/v1/access-requests/{request_id}/approve"
        return self.client.post(path, json=body, headers=headers)

    def resources(self, headers: dict[str, str]) -> list[dict]:
        answer = self.client.get(self.url, headers=headers)
        assert answer.status_code == 200, answer.get_json()
        return list(answer.get_json()["resources"])

    def log(self) -> list[tuple]:
        entries = self.services.sharing.access_log(self.portal.steward, self.portal.name)
        return [(e.user, e.surface, e.projection, e.grant_id) for e in entries]

    def mails(self) -> list[tuple[str, str, str]]:
        return [
            (str(m["To"]), str(m["Subject"]), m.get_content())
            for m in self.services.mailer.messages()  # type: ignore[attr-defined]
        ]


def _in_a_month() -> str:
    return (date.today() + timedelta(days=30)).isoformat()


def test_every_shape_carries_the_level_and_a_patch_changes_it_by_review(services, client) -> None:
    api = Api(services, client)
    for headers in ({}, api.business, api.agency):
        shown = client.get(api.url, headers=headers).get_json()
        assert shown["access_level"] == "restricted", headers
        assert shown["access_instructions"] == "Gửi yêu cầu kèm mục đích sử dụng."
        assert shown["resources"] == []  # the catalog record: no data without access
    assert api.log() == []  # nothing was read
    found = client.get("/api/v1/datasets", query_string={"q": "hộ gia đình"}).get_json()
    assert [(d["name"], d["access_level"], d["resources"]) for d in found["items"]] == [
        (api.portal.name, "restricted", [])
    ]
    member = client.get(api.url, headers=api.publisher)
    assert member.get_json()["access_level"] == "restricted"
    assert member.get_json()["revision_status"] == "approved"  # the members' shape
    edited = client.patch(
        api.url,
        json={"access_level": "public", "access_instructions": ""},
        headers={**api.publisher, "If-Match": member.headers["ETag"]},
    )
    assert edited.status_code == 200, edited.get_json()
    assert edited.get_json()["access_level"] == "public"
    assert edited.get_json()["has_pending_revision"] is True
    assert client.get(api.url).get_json()["access_level"] == "restricted"  # until approved
    etag = client.get(api.url, headers=api.publisher).headers["ETag"]
    bad = client.patch(
        api.url, json={"access_level": "secret"}, headers={**api.publisher, "If-Match": etag}
    )
    assert bad.status_code == 422
    assert bad.get_json()["error"]["fields"] == {"access_level": ["unknown_access_level"]}


def test_request_approve_read_and_revoke(services, client) -> None:
    api = Api(services, client)
    portal = api.portal
    assert api.ask({}, purpose="x").status_code == 401
    read_only = api.token(portal.business, scope=Scope.READ)
    assert api.ask(read_only, purpose="x").status_code == 403
    missing = api.ask(api.business, legal_basis="Luật")
    assert missing.status_code == 422
    assert missing.get_json()["error"]["fields"] == {"purpose": ["required"]}
    unknown = api.ask(api.business, purpose="x", columns=["khong_co"], organization="khong-co")
    assert unknown.status_code == 422
    assert unknown.get_json()["error"]["fields"] == {"organization": ["unknown_organization"]}
    wrong = client.post(
        "/api/v1/datasets/khong-co/access-requests", json={"purpose": "x"}, headers=api.business
    )
    assert wrong.status_code == 404
    asked = api.ask(
        api.business,
        purpose="Nghiên cứu an sinh xã hội",
        legal_basis="Nghị định 13/2023/NĐ-CP",
        columns=["phuong", "so_ho", "ho_ten"],
        until=_in_a_month(),
    )
    assert asked.status_code == 201, asked.get_json()
    request = asked.get_json()
    assert request["status"] == "pending" and request["dataset"] == portal.name
    assert request["requester"] == api.name_of(portal.business)
    assert request["columns"] == ["phuong", "so_ho", "ho_ten"]
    assert request["until"] == _in_a_month() and request["grant_id"] is None
    assert asked.headers["Location"].endswith(f"/api/v1/access-requests/{request['id']}")
    assert api.ask(api.business, purpose="lần nữa").status_code == 409  # one at a time
    # Who sees the request.
    mine = client.get("/api/v1/access-requests", headers=api.business).get_json()
    assert [r["id"] for r in mine["items"]] == [request["id"]] and mine["total"] == 1
    queue = client.get(
        "/api/v1/access-requests",
        query_string={"organization": portal.org.name},
        headers=api.steward,
    ).get_json()
    assert [r["id"] for r in queue["items"]] == [request["id"]]
    as_business = {"organization": portal.org.name}
    listing = client.get("/api/v1/access-requests", query_string=as_business, headers=api.business)
    assert listing.status_code == 403
    assert (
        client.get(
            "/api/v1/access-requests",
            query_string={"organization": "khong-co"},
            headers=api.steward,
        ).status_code
        == 404
    )
    one = f"/api/v1/access-requests/{request['id']}"
    assert client.get(one, headers=api.steward).get_json() == request
    assert client.get(one, headers=api.agency).status_code == 404
    assert client.get(one).status_code == 401
    # Who may decide, and what.
    later = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    assert api.approve(request["id"], api.business, expires=later).status_code == 404
    assert api.approve(request["id"], api.publisher, expires=later).status_code == 403
    past = api.approve(request["id"], api.steward, expires="2020-01-01")
    assert past.status_code == 422 and past.get_json()["error"]["fields"] == {
        "expires": ["in_the_past"]
    }
    wider = api.approve(request["id"], api.steward, expires=later, columns=["so_cccd"])
    assert wider.get_json()["error"]["fields"] == {"columns": ["more_than_asked"]}
    assert api.approve(request["id"], api.steward).get_json()["error"]["fields"] == {
        "expires": ["required"]
    }
    approved = api.approve(
        request["id"], api.steward, expires=_in_a_month(), columns=["phuong", "ho_ten"]
    )
    assert approved.status_code == 200, approved.get_json()
    grant = approved.get_json()
    assert (grant["user"], grant["organization"], grant["projection"]) == (
        api.name_of(portal.business),
        None,
        "agency",
    )
    assert grant["columns"] == ["phuong", "ho_ten"] and grant["active"] is True
    assert grant["approved_by"] == api.name_of(portal.steward)
    assert grant["expires"].startswith((date.today() + timedelta(days=31)).isoformat())
    assert api.approve(request["id"], api.steward, expires=later).status_code == 409
    decided = client.get(one, headers=api.business).get_json()
    assert (decided["status"], decided["grant_id"]) == ("approved", grant["id"])
    # The holder reads the agency projection, narrowed to the granted columns; logged.
    [resource] = api.resources(api.business)
    assert (resource["projection"], resource["columns"]) == ("agency", ["phuong", "ho_ten"])
    assert resource["id"] == portal.resource_id and resource["sha256"] is None
    assert api.resources(api.agency) == []  # another agency without a grant
    assert api.log() == [(api.name_of(portal.business), "api", "agency", grant["id"])]
    # Grants: the holder's, the organization's (stewards), all of them (sysadmins).
    for headers, query in (
        (api.business, {}),
        (api.steward, {"organization": portal.org.name}),
        (api.admin, {"all": "true"}),
    ):
        listed = client.get("/api/v1/grants", query_string=query, headers=headers).get_json()
        assert [g["id"] for g in listed["items"]] == [grant["id"]], headers
    assert client.get("/api/v1/grants", headers=api.agency).get_json()["items"] == []
    everything = client.get("/api/v1/grants", query_string={"all": "true"}, headers=api.steward)
    assert everything.status_code == 403
    # The access log: owning stewards only, as JSON and as CSV.
    log = client.get(f"{api.url}/access-log", headers=api.steward)
    assert log.status_code == 200
    [entry] = log.get_json()["items"]
    assert (entry["user"], entry["surface"], entry["grant_id"]) == (
        api.name_of(portal.business),
        "api",
        grant["id"],
    )
    assert log.get_json()["next"] is None
    assert "Nguyễn Văn An" not in log.get_data(as_text=True)  # never the data
    for outsider in (api.business, api.agency):
        assert client.get(f"{api.url}/access-log", headers=outsider).status_code == 404
    assert client.get(f"{api.url}/access-log", headers=api.publisher).status_code == 403
    assert client.get(f"{api.url}/access-log?limit=0", headers=api.steward).status_code == 400
    exported = client.get(f"{api.url}/access-log?format=csv", headers=api.steward)
    assert exported.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    assert [(r["user"], r["surface"], r["grant_id"]) for r in rows] == [
        (api.name_of(portal.business), "api", grant["id"])
    ]
    denied = client.get(f"{api.url}/access-log?format=csv", headers=api.agency)
    assert denied.status_code == 404
    # Revocation: at once, for the holder's token too.
    path = f"/api/v1/grants/{grant['id']}"
    assert client.delete(path, headers=api.business).status_code == 404
    assert client.delete(path, headers=api.publisher).status_code == 403
    revoked = client.delete(path, headers=api.steward)
    assert revoked.status_code == 200
    assert revoked.get_json()["active"] is False and revoked.get_json()["revoked_at"]
    assert api.resources(api.business) == []
    assert len(api.log()) == 1  # a read without access is not a read of data
    # Mails: the stewards were asked; the requester was told of the approval and revocation.
    mails = api.mails()
    stewards = services.accounts.member_emails(portal.org.id, Role.STEWARD)
    business = services.accounts.find_user(portal.business.user_id)
    asked_mail = next(m for m in mails if "Access request" in m[1])
    assert set(asked_mail[0].split(", ")) == set(stewards)
    assert api.name_of(portal.business) in asked_mail[2] and "/sharing" in asked_mail[2]
    told = [(to, subject) for to, subject, _body in mails if to == business.email]
    assert [s.split(" / ")[1].split(":")[0] for _to, s in told] == [
        "Access approved",
        "Access revoked",
    ]
    assert any("Yêu cầu truy cập bộ dữ liệu" in body for _t, _s, body in mails)


def test_refusal_and_expiry(services, client) -> None:
    api = Api(services, client)
    portal = api.portal
    not_mine = api.ask(api.business, purpose="x", organization=portal.org.name)
    assert not_mine.get_json()["error"]["fields"] == {"organization": ["not_a_member"]}
    open_data, _rid, _pub, _st = publish_sample(services)
    public = client.post(
        f"/api/v1/datasets/{open_data.name}/access-requests",
        json={"purpose": "x"},
        headers=api.business,
    )
    assert public.status_code == 422
    assert public.get_json()["error"]["fields"] == {"dataset": ["not_restricted"]}
    agency_org = services.accounts.find_organization(next(iter(portal.agency.roles)))
    assert agency_org is not None
    asked = api.ask(api.agency, purpose="Đối soát", organization=agency_org.name)
    assert asked.status_code == 201 and asked.get_json()["organization"] == agency_org.name
    refuse = f"/api/v1/access-requests/{asked.get_json()['id']}/refuse"
    assert client.post(refuse, json={"reason": " "}, headers=api.steward).status_code == 422
    refused = client.post(refuse, json={"reason": "Không đủ căn cứ"}, headers=api.steward)
    assert refused.status_code == 200
    assert (refused.get_json()["status"], refused.get_json()["reason"]) == (
        "refused",
        "Không đủ căn cứ",
    )
    assert client.post(refuse, json={"reason": "lần nữa"}, headers=api.steward).status_code == 409
    agency = services.accounts.find_user(portal.agency.user_id)
    [refusal] = [m for m in api.mails() if m[0] == agency.email]
    assert "Access refused" in refusal[1] and "Lý do / Reason: Không đủ căn cứ" in refusal[2]
    # A grant that ends soon: when the clock passes it, the token reads nothing at once.
    request = api.ask(api.business, purpose="Thống kê").get_json()
    soon = (datetime.now(UTC) + timedelta(minutes=5)).replace(tzinfo=None).isoformat()
    grant = api.approve(request["id"], api.steward, expires=soon).get_json()
    assert grant["active"] is True and len(api.resources(api.business)) == 1
    services.sharing._clock = lambda: datetime.now(UTC) + timedelta(minutes=10)  # time passes
    assert api.resources(api.business) == []
    listed = client.get("/api/v1/grants", headers=api.business).get_json()["items"]
    assert [g["id"] for g in listed] == [grant["id"]]  # the agreement stays on record


def test_tokens_limited_to_named_datasets(services, client, auth) -> None:
    api = Api(services, client)
    portal = api.portal
    request = services.sharing.request_access(portal.business, portal.name, purpose="Thống kê")
    services.sharing.approve(
        portal.steward, request.id, expires=datetime.now(UTC) + timedelta(days=1)
    )
    other, _rid, _pub, _st = publish_sample(services)
    only_other = api.token(portal.business, datasets=[other.name])
    only_this = api.token(portal.business, datasets=[portal.name])
    public_only = api.token(portal.business, datasets=[])
    assert len(api.resources(api.business)) == 1  # the grant, through any token
    assert len(api.resources(only_this)) == 1
    assert api.resources(only_other) == [] and api.resources(public_only) == []
    other_url = f"/api/v1/datasets/{other.name}"
    assert len(client.get(other_url, headers=only_other).get_json()["resources"]) == 1  # public
    # The account page's form creates such a token and lists its datasets.
    business = services.accounts.find_user(portal.business.user_id)
    auth.login(business.name, PASSWORD)
    form = {"name": "đối soát", "scope": "read", "datasets": f"{portal.name}, khong-co"}
    token_form = {**form, "csrf_token": csrf_from(client, "/user/account")}
    refused = client.post("/user/account/tokens", data=token_form)
    assert refused.status_code == 422
    assert "Không có bộ dữ liệu đã công bố nào mang tên này." in refused.get_data(as_text=True)
    form["datasets"] = f"{portal.name}, {other.name}"
    created = client.post(
        "/user/account/tokens", data={**form, "csrf_token": csrf_from(client, "/user/account")}
    )
    assert created.status_code == 201
    value = re.search(r"odp_[A-Za-z0-9_-]+", created.get_data(as_text=True))
    assert value is not None
    owner = services.tokens.verify(value.group(0))
    assert owner.datasets == frozenset({portal.name, other.name})
    page = client.get("/user/account").get_data(as_text=True)
    assert f"{portal.name}, {other.name}" in page
    # So does the command line.
    env = {
        "OPENDATA_DATA_DIR": str(services.settings.data_dir),
        "DATABASE_URL": services.settings.database_url,
    }
    command = ["token", "create", business.name, "--dataset", other.name]
    made = CliRunner().invoke(main, command, env=env, catch_exceptions=False)
    assert made.exit_code == 0, made.output
    assert services.tokens.verify(made.output.strip()).datasets == frozenset({other.name})
    unknown = CliRunner().invoke(main, [*command, "--dataset", "khong-co"], env=env)
    assert unknown.exit_code == 1 and "khong-co" in unknown.output
