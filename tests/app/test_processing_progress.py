"""Large files are processed in the background and the publisher sees how far it has got."""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import datasets.validation.engine as engine
from app.config import Settings
from datasets.progress import STAGES, ProgressBoard
from publishers import Role, Scope
from tests.conftest import AuthActions
from tests.factories import PASSWORD, actor, make_dataset, make_org, make_user, upload_bytes


def test_board_round_trips_and_ignores_garbage(tmp_path: Path) -> None:
    board = ProgressBoard(tmp_path / "progress", interval=0)
    assert board.read("v1") is None
    board.update("v1", "validating", 250, 1000)
    found = board.read("v1")
    assert found is not None and found.percent == 25
    assert found.to_dict() == {
        "stage": "validating", "stage_number": 2, "stages": len(STAGES),
        "rows_done": 250, "rows_total": 1000, "percent": 25,
    }  # fmt: skip
    (tmp_path / "progress" / "v2.json").write_text("{not json", encoding="utf-8")
    (tmp_path / "progress" / "v3.json").write_text(json.dumps({"stage": "x"}), encoding="utf-8")
    assert board.read("v2") is None and board.read("v3") is None
    with pytest.raises(ValueError):
        board.update("../etc/passwd", "validating")
    assert board.read("../v1") is None
    board.clear("v1")
    assert board.read("v1") is None
    assert sorted(p.name for p in (tmp_path / "progress").iterdir()) == ["v2.json", "v3.json"]


def _big_csv(rows: int) -> bytes:
    lines = ["ma,phuong,so_ho,ghi_chu"]
    lines += [f"{i},Phường Bến Nghé {i % 10},{i % 977},Đường Lê Lợi số {i}" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


ROWS = 60_000


@dataclasses.dataclass
class Background:
    """A portal whose jobs wait in the queue until ``start_jobs`` starts a real consumer."""

    services: Any
    app: Any
    user: Any
    dataset_name: str
    resource_id: str
    consumer: Any = None

    def start_jobs(self) -> None:
        # A real Huey consumer in threads of the test process (production runs jobs in
        # the job process); signals stay with pytest.
        self.consumer = self.services.queue.huey.create_consumer(workers=1, worker_type="thread")
        self.consumer._set_signal_handlers = lambda: None
        self.consumer.start()

    def close(self) -> None:
        if self.consumer is not None:
            self.consumer.stop(graceful=True)
        self.services.engine.dispose()


def background_portal(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Background:
    """Queue the processing of a 60,000-row upload; validation paced as on a slow machine."""
    from app import create_app
    from app.services import build_services

    monkeypatch.setattr(engine, "BATCH_ROWS", 500)
    reporter = ProgressBoard.rows_reporter

    def paced(self: ProgressBoard, *args: Any) -> Callable[[int], None]:
        report = reporter(self, *args)

        def slowly(rows_done: int) -> None:
            time.sleep(0.02)  # 120 batches: the job takes seconds, long enough to watch
            report(rows_done)

        return slowly

    monkeypatch.setattr(ProgressBoard, "rows_reporter", paced)
    background = dataclasses.replace(settings, jobs_immediate=False, max_upload_mb=50)
    services = build_services(background)
    services.processor.progress = ProgressBoard(background.data_dir / "progress", interval=0)
    org = make_org(services)
    user = make_user(services, org, Role.PUBLISHER)
    publisher = actor(services, user)
    dataset = make_dataset(services, publisher, org)
    resource_id = upload_bytes(services, publisher, dataset.name, _big_csv(ROWS), "lon.csv")
    return Background(services, create_app(background, services), user, dataset.name, resource_id)


def test_background_validation_reports_rows_done_until_ready(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real queue and consumer thread process the upload; status.json shows the rows."""
    portal = background_portal(settings, monkeypatch)
    try:
        client = portal.app.test_client()
        signed_in = AuthActions(client).login(portal.user.name, PASSWORD)
        assert signed_in.status_code == 302
        url = f"/dataset/{portal.dataset_name}/resource/{portal.resource_id}/status.json"
        before = client.get(url).get_json()
        assert before["status"] == "processing" and before["progress"] is None  # queued only

        manage = client.get(f"/dataset/{portal.dataset_name}/manage").text
        assert f'data-status-url="{url}"' in manage
        assert "Bước 2 trên 4: kiểm tra các dòng" in manage  # the label the script shows

        token = portal.services.tokens.create(portal.user.id, "theo dõi", scope=Scope.READ)
        api = f"/api/v1/datasets/{portal.dataset_name}"
        headers = {"Authorization": f"Bearer {token}"}
        # No report yet: an empty one would read as "no problem".
        for part in ("validation", "findings"):
            early = client.get(f"{api}/resources/{portal.resource_id}/{part}", headers=headers)
            assert early.status_code == 409, part
            assert early.get_json()["error"]["code"] == "conflict"
            assert early.get_json()["error"]["resource_status"] == "processing"
        # The narrow read for pollers (issue 24) keeps drafts hidden from other publishers.
        outsider = make_user(portal.services, make_org(portal.services), Role.PUBLISHER)
        other = portal.services.tokens.create(outsider.id, "khác", scope=Scope.READ)
        for part in ("validation", "findings"):
            hidden = client.get(
                f"{api}/resources/{portal.resource_id}/{part}",
                headers={"Authorization": f"Bearer {other}"},
            )
            assert hidden.status_code == 404, part
        missing = client.get(f"{api}/resources/no-such-resource/validation", headers=headers)
        assert missing.status_code == 404
        portal.start_jobs()
        seen: list[dict[str, Any]] = []
        seen_by_api: list[dict[str, Any]] = []
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            body = client.get(url).get_json()
            if body["progress"]:
                seen.append(body["progress"])
            (resource,) = client.get(api, headers=headers).get_json()["resources"]
            if resource["progress"]:
                seen_by_api.append(resource["progress"])
            if body["status"] != "processing":
                break
            time.sleep(0.05)
        (resource,) = client.get(api, headers=headers).get_json()["resources"]
        assert resource["status"] == "ready" and resource["progress"] is None
        report = client.get(f"{api}/resources/{portal.resource_id}/validation", headers=headers)
        assert report.status_code == 200 and report.get_json()["row_count"] == ROWS
    finally:
        portal.close()
    assert body["status"] == "ready" and body["row_count"] == ROWS and body["valid"] is True
    assert body["progress"] is None  # finished: nothing left to show
    validating = [p for p in seen if p["stage"] == "validating"]
    partial = [p for p in validating if 0 < p["rows_done"] < ROWS]
    assert partial, seen  # rows counted while the job ran, not only at the end
    assert all(p["rows_total"] == ROWS and p["percent"] < 100 for p in partial)
    done = [p["rows_done"] for p in validating]
    assert done == sorted(done)
    assert {p["stage"] for p in seen} <= set(STAGES)
    # The REST API shows the same to a script (SPEC §4 resource shape, "progress").
    assert any(0 < p["rows_done"] < ROWS for p in seen_by_api if p["stage"] == "validating")
    assert not list((settings.data_dir / "progress").glob("*.json"))  # cleared at the end


def test_small_files_write_no_progress(services: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file under PROGRESS_MIN_BYTES is done in a moment: no progress file is written."""
    writes: list[tuple[str, str]] = []
    board = services.processor.progress
    monkeypatch.setattr(
        board, "update", lambda version_id, stage, *a: writes.append((version_id, stage))
    )
    org = make_org(services)
    publisher = actor(services, make_user(services, org, Role.PUBLISHER))
    dataset = make_dataset(services, publisher, org)
    upload_bytes(services, publisher, dataset.name, _big_csv(100), "nho.csv")
    assert writes == []
    upload_bytes(services, publisher, dataset.name, _big_csv(30_000), "lon.csv")  # 1.3 MB
    assert [stage for _, stage in writes][:2] == ["normalizing", "validating"]
    assert {stage for _, stage in writes} == set(STAGES)
