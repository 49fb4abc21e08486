"""Count the SQL statements a piece of code runs, and publish many small datasets quickly."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, event

from app.services import Services
from datasets.model import Dataset
from datasets.resource_edit import ResourceInput
from publishers import Role
from tests.factories import actor, make_dataset, make_org, make_user


@contextmanager
def counted_statements(engine: Engine) -> Iterator[list[str]]:
    """Yield a list that collects every statement run on ``engine`` inside the block."""
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def publish_linked(services: Services, count: int, tag: str) -> list[Dataset]:
    """Publish ``count`` datasets tagged ``tag`` in two organizations, with 1–3 links each."""
    published = []
    for org_number in range(2):
        org = make_org(services)
        publisher = actor(services, make_user(services, org, Role.PUBLISHER))
        steward = actor(services, make_user(services, org, Role.STEWARD))
        for n in range(org_number, count, 2):
            dataset = make_dataset(services, publisher, org, tags=(tag,))
            for link in range(1 + n % 3):
                services.editor.add_link(
                    publisher,
                    dataset.name,
                    f"https://du-lieu.example/{dataset.name}/{link}.csv",
                    ResourceInput(name=f"Tệp {link}"),
                    fmt="CSV",
                )
            services.workflow.submit(publisher, dataset.name)
            services.workflow.approve(steward, dataset.name)
            published.append(dataset)
    return published
