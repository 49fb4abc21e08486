"""The sharing promise, end to end: agency-projection values reach grant holders only.

A ``restricted`` dataset's agency projection keeps what its public file strips (names kept
with a justification, phones masked instead of dropped). Every surface of the public crawl
(``tests.test_canary.public_surfaces``) is then asked by each audience without a grant:
anonymous, a registered account, staff of another agency, and a holder of an expired grant
(signed in through the form, and with an API token on the APIs). No value of the agency
projection, nor any original phone number, may appear in any answer or in the logs. A grant
holder does get them on the records API, so the crawl looked for values that exist.
"""

from __future__ import annotations

import json
import logging

import pytest

from publishers import Role
from tests.app.api.conftest import bearer
from tests.factories import PASSWORD, actor, make_org, make_user
from tests.shared_tables import HOUSEHOLDS, SharedTable, expire, grant, publish_shared
from tests.test_canary import Canary, _leaks, _texts, missing_surfaces, public_surfaces


def _canaries(table: SharedTable) -> list[Canary]:
    """The agency-only values, and the original phones (which nobody ever gets)."""
    phones = [line.split(",")[2] for line in HOUSEHOLDS.decode().splitlines()[1:]]
    return [Canary("agency", v) for v in table.agency_values] + [Canary("phone", p) for p in phones]


@pytest.fixture
def shared_canary(services) -> SharedTable:
    return publish_shared(services, "restricted", title="Hồ sơ hộ dân canary chia sẻ")


def _crawl(client, urls: list[str], canaries: list[Canary], headers: dict[str, str]) -> int:
    crawled = 0
    for url in urls:
        if headers and "/api/" not in url:
            continue
        response = client.get(url, headers=headers, follow_redirects=True)
        assert response.status_code in (200, 401, 403, 404), (url, response.status_code)
        for text in _texts(response.data, response.content_type or ""):
            assert _leaks(text, canaries) == [], url
        crawled += 1
    return crawled


def test_no_row_reaches_an_audience_without_access(app, client, services, auth, caplog) -> None:
    """A ``registered`` dataset: anonymous callers get no row of it, on any surface."""
    caplog.set_level(logging.DEBUG)
    table = publish_shared(services, "registered", title="Doanh nghiệp canary đã đăng ký")
    canaries = _canaries(table)
    urls = public_surfaces(table.name, table.dataset_id, table.resource_id, table.org.name)
    urls = [u for u in urls if u not in set(missing_surfaces(app, urls))]
    assert _crawl(client, urls, canaries, {}) >= 60
    assert _leaks(caplog.text, canaries) == []


def test_no_agency_value_reaches_an_audience_without_a_grant(
    app, client, services, auth, shared_canary, caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    table = shared_canary
    canaries = _canaries(table)
    urls = public_surfaces(table.name, table.dataset_id, table.resource_id, table.org.name)
    urls = [u for u in urls if u not in set(missing_surfaces(app, urls))]
    account = make_user(services)
    other_staff = make_user(services, make_org(services), Role.STEWARD)
    expired = make_user(services, make_org(services), Role.PUBLISHER)
    expire(services, grant(services, table, actor(services, expired)))

    records = f"/api/v1/datasets/{table.name}/resources/{table.resource_id}/records"
    assert _crawl(client, urls, canaries, {}) >= 60  # anonymous
    assert client.get(records).status_code == 404
    for user in (account, other_staff, expired):
        auth.login(user.name, PASSWORD)
        assert client.get(records).status_code == 403, user.name  # signed in, refused
        assert _crawl(client, urls, canaries, {}) >= 60, user.name
        auth.logout()
        token = bearer(services.tokens.create(user.id, "script"))
        assert _crawl(client, urls, canaries, token) >= 30, user.name

    # The values exist: a grant holder reads them on the records API (and that is logged).
    holder = make_user(services, make_org(services), Role.PUBLISHER)
    grant(services, table, actor(services, holder))
    body = client.get(records, headers=bearer(services.tokens.create(holder.id, "script")))
    found = {
        leak for text in _texts(body.data, body.content_type) for leak in _leaks(text, canaries)
    }
    assert {f for f in found if f.startswith("agency")} == {
        f"agency: {v}" for v in table.agency_values
    }
    assert not [f for f in found if f.startswith("phone")]
    log = services.sharing.access_log(table.steward, table.name, limit=100, offset=0)
    assert [(e.surface, e.rows) for e in log] == [("records", 4)]

    log_text = caplog.text + "\n".join(
        json.dumps(getattr(r, "__dict__", {}), default=str, ensure_ascii=False)
        for r in caplog.records
    )
    assert _leaks(log_text, canaries) == []
