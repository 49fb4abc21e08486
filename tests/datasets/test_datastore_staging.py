"""Tables staged at submission and swapped in at approval (issue 24), through the real
workflow (jobs inline) on SQLite and PostgreSQL: unreadable before approval through
``datastore_search`` and the SQL endpoint, swapped only when they match what is approved,
dropped at rejection and by recovery."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from app.leases import leases_for
from app.recovery import reconcile
from datasets.datastore import Datastore, DatastoreQuery
from datasets.datastore_staging import JOB_SWEEP_STAGED
from datasets.resource_edit import ResourceInput
from datasets.uploads import receive
from publishers import Role
from tests.factories import actor, make_dataset, make_org, make_user, publish_sample, upload_bytes

NEWER_CSV = (
    "ma_tram,ten_tram,quan_huyen,vi_do,kinh_do,so_cho\n"
    "T101,Trạm Công viên Tao Đàn,Quận 1,10.7745,106.6920,12\n"
    "T102,Trạm Nhà thờ Đức Bà,Quận 1,10.7798,106.6990,22\n"
).encode()


def _no_full_load(store: Datastore, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the approval loaded the file instead of swapping")

    monkeypatch.setattr(store, "load", refuse)


def _mine(store: Datastore, *resource_ids: str) -> dict[str, str]:
    """The staged keys of these resources (on PostgreSQL the tests share one schema)."""
    return {k: v for k, v in store.staged().items() if k in resource_ids}


def _staged_names(store: Datastore, *resource_ids: str) -> list[str]:
    """The staged tables' names (the backend's own view: what a caller would have to guess)."""
    conn = store._reader()  # type: ignore[attr-defined]  # the backend's own connection
    sql = "SELECT resource_id, table_name FROM _datastore_staged"
    if hasattr(conn, "transaction"):
        with conn.transaction():
            rows = conn.execute(sql.replace("FROM ", "FROM datastore.")).fetchall()
    else:
        rows = conn.execute(sql).fetchall()
    return [str(r[1]) for r in rows if r[0] in resource_ids]


def _action(client, name: str, **params: Any) -> dict[str, Any]:
    answer = client.post(f"/api/3/action/{name}", json=params)
    body: dict[str, Any] = answer.get_json()
    return body


def _codes(body: dict[str, Any]) -> list[str]:
    return sorted(r["ma_tram"] for r in body["result"]["records"])


def _submitted(services, data: bytes = b"", **meta: Any):
    org = make_org(services)
    publisher = actor(services, make_user(services, org, Role.PUBLISHER))
    steward = actor(services, make_user(services, org, Role.STEWARD))
    dataset = make_dataset(services, publisher, org, **meta)
    resource_id = upload_bytes(services, publisher, dataset.name, data) if data else ""
    if data:
        services.workflow.submit(publisher, dataset.name)
    return dataset, resource_id, publisher, steward


def test_a_submission_is_staged_unreadable_and_swapped_in_at_approval(
    services, client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.factories import SAMPLE_CSV

    dataset, resource_id, _, steward = _submitted(services, SAMPLE_CSV)
    store = services.datastore
    assert list(_mine(store, resource_id)) == [resource_id]
    (staged,) = _staged_names(store, resource_id)
    assert not _action(client, "datastore_search", resource_id=resource_id)["success"]
    for sql in (f'SELECT * FROM "{staged}"', f'SELECT count(*) FROM "{staged}"'):
        answer = _action(client, "datastore_search_sql", sql=sql)
        assert not answer["success"] and "T001" not in str(answer)

    _no_full_load(store, monkeypatch)
    services.workflow.approve(steward, dataset.name)

    body = _action(client, "datastore_search", resource_id=resource_id)
    assert _codes(body) == ["T001", "T002", "T003", "T004"]
    assert _mine(store, resource_id) == {}
    sql = f'SELECT count(*) AS n FROM "{resource_id}"'
    assert _action(client, "datastore_search_sql", sql=sql)["result"]["records"] == [{"n": 4}]


def test_a_new_version_staged_beside_its_published_table_stays_unreadable(
    services, client, monkeypatch: pytest.MonkeyPatch
) -> None:
    dataset, resource_id, publisher, steward = publish_sample(services)
    received = receive(
        io.BytesIO(NEWER_CSV),
        "tram.csv",
        Path(services.settings.data_dir) / "staging",
        services.settings.max_upload_bytes,
    )
    services.editor.add_upload(
        publisher, dataset.name, received, ResourceInput(), resource_id=resource_id
    )
    services.workflow.submit(publisher, dataset.name)
    (staged,) = _staged_names(services.datastore, resource_id)
    # The resource id is public (its older table answers), its staged table is not.
    body = _action(client, "datastore_search", resource_id=resource_id)
    assert _codes(body) == ["T001", "T002", "T003", "T004"]
    answer = _action(client, "datastore_search_sql", sql=f'SELECT * FROM "{staged}"')
    assert not answer["success"] and "T101" not in str(answer)
    answer = _action(client, "datastore_search_sql", sql=f'SELECT count(*) FROM "{staged}"')
    assert not answer["success"]

    _no_full_load(services.datastore, monkeypatch)
    services.workflow.approve(steward, dataset.name)
    body = _action(client, "datastore_search", resource_id=resource_id)
    assert _codes(body) == ["T101", "T102"]


def test_a_staged_table_of_other_content_is_never_swapped_in(services) -> None:
    """A key that does not match what is approved: the approval loads the approved file."""
    from tests.factories import SAMPLE_CSV

    dataset, resource_id, _, steward = _submitted(services, SAMPLE_CSV)
    store = services.datastore
    (key,) = _mine(store, resource_id).values()
    other = Path(services.settings.data_dir) / "other.csv"
    other.write_bytes(b"ma_tram\nX1\nX2\n")
    schema = {"fields": [{"name": "ma_tram", "type": "string"}]}
    store.stage(resource_id, other, schema, key="0" * 64)  # replaces the staged table
    services.workflow.approve(steward, dataset.name)
    codes = [r["ma_tram"] for r in store.search(resource_id, DatastoreQuery()).records]
    assert sorted(codes) == ["T001", "T002", "T003", "T004"]
    assert key != "0" * 64


def test_a_shared_level_is_staged_in_the_shared_datastore_only(services) -> None:
    from tests.factories import SAMPLE_CSV

    dataset, resource_id, _, steward = _submitted(services, SAMPLE_CSV, access_level="registered")
    assert _mine(services.datastore, resource_id) == {}
    assert list(_mine(services.shared_datastore, resource_id)) == [resource_id]
    services.workflow.approve(steward, dataset.name)
    assert services.shared_datastore.info(resource_id).row_count == 4
    assert _mine(services.shared_datastore, resource_id) == {}
    assert _mine(services.datastore, resource_id) == {}


def test_a_rejection_drops_the_staged_table(services) -> None:
    from tests.factories import SAMPLE_CSV

    dataset, resource_id, _, steward = _submitted(services, SAMPLE_CSV)
    assert len(_mine(services.datastore, resource_id)) == 1
    services.workflow.reject(steward, dataset.name, "Thiếu mô tả cột.")
    assert _mine(services.datastore, resource_id) == {}
    assert _staged_names(services.datastore, resource_id) == []


def test_recovery_drops_a_staged_table_left_behind_and_keeps_a_waiting_one(services) -> None:
    """A job process that died before the sweep queued at a rejection ran."""
    from tests.factories import SAMPLE_CSV

    rejected, rejected_id, _, steward = _submitted(services, SAMPLE_CSV)
    _, waiting_id, _, _ = _submitted(services, SAMPLE_CSV)
    both = (rejected_id, waiting_id)
    assert set(_mine(services.datastore, *both)) == {rejected_id, waiting_id}
    handlers = services.queue._handlers  # the sweep job is lost
    kept = handlers[JOB_SWEEP_STAGED]
    handlers[JOB_SWEEP_STAGED] = lambda payload: None
    try:
        services.workflow.reject(steward, rejected.name, "Thiếu mô tả cột.")
    finally:
        handlers[JOB_SWEEP_STAGED] = kept
    assert set(_mine(services.datastore, *both)) == {rejected_id, waiting_id}

    report = reconcile(services, leases_for(services.settings))

    assert report.staged_dropped >= 1  # PostgreSQL: other tests' too (one schema)
    assert set(_mine(services.datastore, *both)) == {waiting_id}
    assert len(_staged_names(services.datastore, *both)) == 1
