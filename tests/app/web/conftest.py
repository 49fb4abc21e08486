"""Shared helpers for the publishing pages' tests."""

from __future__ import annotations

import io

import pytest

from publishers import Role
from tests.conftest import csrf_from
from tests.factories import PASSWORD, actor, make_dataset, make_org, make_user


class Desk:
    """An organization with a publisher and a steward, signed in through the real form."""

    def __init__(self, services, client, auth) -> None:
        self.services, self.client, self.auth = services, client, auth
        self.org = make_org(services)
        self.publisher_info = make_user(services, self.org, Role.PUBLISHER)
        self.steward_info = make_user(services, self.org, Role.STEWARD)
        self.publisher = actor(services, self.publisher_info)
        self.steward = actor(services, self.steward_info)
        self.signed_in = False

    def login(self, who: str) -> None:
        if self.signed_in:
            self.auth.logout()
        self.signed_in = True
        info = self.publisher_info if who == "publisher" else self.steward_info
        assert self.auth.login(info.name, PASSWORD).status_code == 302

    def logout(self) -> None:
        if self.signed_in:
            self.auth.logout()
        self.signed_in = False

    def dataset(self, title: str = "Trạm xe buýt") -> str:
        return make_dataset(self.services, self.publisher, self.org, title=title).name

    def post(self, path: str, data: dict | None = None, form_page: str | None = None, **kw):
        token = csrf_from(self.client, form_page or "/review")
        return self.client.post(path, data={"csrf_token": token, **(data or {})}, **kw)

    def upload(self, name: str, content: bytes, filename: str = "data.csv", path: str = ""):
        return self.post(
            path or f"/dataset/{name}/resources",
            {"file": (io.BytesIO(content), filename), "name": ""},
            content_type="multipart/form-data",
        )

    def page(self, path: str) -> str:
        response = self.client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return response.get_data(as_text=True)


@pytest.fixture
def desk(services, client, auth) -> Desk:
    return Desk(services, client, auth)
