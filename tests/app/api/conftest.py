"""Fixtures of the REST API tests: an organization with a publisher and two stewards."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from publishers import Organization, Role
from tests.factories import make_org, make_user


@dataclass
class Team:
    """An organization, its members' tokens and ready-made headers."""

    org: Organization
    publisher: dict[str, str]
    steward: dict[str, str]
    other_steward: dict[str, str]
    outsider: dict[str, str]
    read_only: dict[str, str]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def team(services) -> Team:
    from publishers import Scope

    org = make_org(services)
    publisher = make_user(services, org, Role.PUBLISHER)
    steward = make_user(services, org, Role.STEWARD)
    other = make_user(services, org, Role.STEWARD)
    outsider = make_user(services, make_org(services), Role.STEWARD)
    tokens = services.tokens
    return Team(
        org=org,
        publisher=bearer(tokens.create(publisher.id, "script")),
        steward=bearer(tokens.create(steward.id, "script")),
        other_steward=bearer(tokens.create(other.id, "script")),
        outsider=bearer(tokens.create(outsider.id, "script")),
        read_only=bearer(tokens.create(publisher.id, "reader", scope=Scope.READ)),
    )


def create_draft(client, team: Team, title: str = "Danh sách hộ dân phường") -> str:
    response = client.post(
        "/api/v1/datasets",
        json={"organization": team.org.name, "title": title},
        headers=team.publisher,
    )
    assert response.status_code == 201, response.get_json()
    return str(response.get_json()["name"])
