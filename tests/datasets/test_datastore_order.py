"""Datastore loads of one resource apply in publication order: an older never wins.

A resource is published (version 1), then republished with new rows (version 2). A load
job of version 1 that runs late (a retry, a slow queue) or that is still loading while
version 2 is approved and loaded must leave the datastore holding version 2's table.
Real portal database (SQLite or PostgreSQL) and the datastore that goes with it.
"""

from __future__ import annotations

import io
import threading
from pathlib import Path
from typing import Any

from sqlalchemy import select

from datasets.datastore import DatastoreQuery
from datasets.model import ResourceVersion
from datasets.resource_edit import ResourceInput
from datasets.uploads import receive
from datasets.workflow import JOB_LOAD_DATASTORE
from tests.factories import publish_sample

NEWER_CSV = (
    "ma_tram,ten_tram,quan_huyen,vi_do,kinh_do,so_cho\n"
    "T101,Trạm Công viên Tao Đàn,Quận 1,10.7745,106.6920,12\n"
    "T102,Trạm Nhà thờ Đức Bà,Quận 1,10.7798,106.6990,22\n"
).encode()


def _republish(services, publisher, steward, dataset, resource_id: str) -> None:
    staged = receive(
        io.BytesIO(NEWER_CSV),
        "tram.csv",
        Path(services.settings.data_dir) / "staging",
        services.settings.max_upload_bytes,
    )
    services.editor.add_upload(
        publisher, dataset.name, staged, ResourceInput(), resource_id=resource_id
    )
    services.workflow.submit(publisher, dataset.name)
    services.workflow.approve(steward, dataset.name)


def _versions(services, resource_id: str) -> list[str]:
    with services.sessions() as session:
        return list(
            session.scalars(
                select(ResourceVersion.id)
                .where(ResourceVersion.resource_id == resource_id)
                .order_by(ResourceVersion.created)
            )
        )


def _codes(services, resource_id: str) -> list[str]:
    result = services.datastore.search(resource_id, DatastoreQuery(sort=[("ma_tram", False)]))
    return [row["ma_tram"] for row in result.records]


def test_a_late_load_of_an_older_version_does_not_overwrite_the_newer(services) -> None:
    dataset, resource_id, publisher, steward = publish_sample(services)
    assert _codes(services, resource_id) == ["T001", "T002", "T003", "T004"]
    _republish(services, publisher, steward, dataset, resource_id)
    older, newer = _versions(services, resource_id)
    assert _codes(services, resource_id) == ["T101", "T102"]

    services.queue.enqueue(JOB_LOAD_DATASTORE, {"version_id": older})  # late, out of order

    assert _codes(services, resource_id) == ["T101", "T102"]
    with services.sessions() as session:
        assert session.get(ResourceVersion, newer).datastore_loaded
    # The public dataset still answers its rows from version 2.
    assert services.datastore.info(resource_id).row_count == 2


def test_an_older_load_in_flight_while_the_newer_is_loaded_loses(services) -> None:
    dataset, resource_id, publisher, steward = publish_sample(services)
    store = services.datastore
    real_load = store.load
    started, release = threading.Event(), threading.Event()
    held: dict[str, Any] = {}

    def slow_first_load(rid: str, path: Path, schema: Any, **kwargs: Any) -> Any:
        # The older job has read its version and is loading when the newer one lands.
        if not held:
            held["path"] = path
            started.set()
            assert release.wait(60)
        return real_load(rid, path, schema, **kwargs)

    older = _versions(services, resource_id)[0]
    store.load = slow_first_load
    try:
        slow = threading.Thread(target=services.processor.load_into_datastore, args=(older,))
        slow.start()
        assert started.wait(60)
        _republish(services, publisher, steward, dataset, resource_id)  # loads version 2
        release.set()
        slow.join(120)
        assert not slow.is_alive()
    finally:
        store.load = real_load
    assert _codes(services, resource_id) == ["T101", "T102"]
