"""A portal with one published dataset served over HTTP, with tokens for the CKAN client."""

from __future__ import annotations

from dataclasses import dataclass

import ckanapi
import pytest

from app.services import Services
from datasets.model import Dataset
from publishers import Actor, Scope
from tests.factories import publish_sample
from tests.servers import LiveServer


@dataclass
class CkanPortal:
    """The live portal, its published sample and CKAN clients for each kind of caller."""

    services: Services
    server: LiveServer
    dataset: Dataset
    resource_id: str
    publisher: Actor
    steward: Actor
    publisher_token: str
    steward_token: str

    def client(self, token: str | None = None) -> ckanapi.RemoteCKAN:
        return ckanapi.RemoteCKAN(self.server.url, apikey=token)

    @property
    def anonymous(self) -> ckanapi.RemoteCKAN:
        return self.client()

    @property
    def as_publisher(self) -> ckanapi.RemoteCKAN:
        return self.client(self.publisher_token)

    @property
    def as_steward(self) -> ckanapi.RemoteCKAN:
        return self.client(self.steward_token)

    def token_for(self, who: Actor, scope: Scope = Scope.READ_WRITE) -> str:
        assert who.user_id is not None
        return self.services.tokens.create(who.user_id, f"ckan-{scope.value}", scope=scope)


@pytest.fixture
def portal(services: Services, live_server: LiveServer) -> CkanPortal:
    dataset, resource_id, publisher, steward = publish_sample(services)
    assert publisher.user_id and steward.user_id
    return CkanPortal(
        services=services,
        server=live_server,
        dataset=dataset,
        resource_id=resource_id,
        publisher=publisher,
        steward=steward,
        publisher_token=services.tokens.create(publisher.user_id, "script"),
        steward_token=services.tokens.create(steward.user_id, "script"),
    )
