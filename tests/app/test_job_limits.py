"""Jobs have a time limit and run side by side (issue 14), in a real `opendata worker`."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.config import Settings
from app.services import Services, build_services
from app.startup import prepare
from datasets.model import ResourceVersion
from publishers import Role
from tests.app.processes import environment, start, wait_until
from tests.factories import SAMPLE_CSV, actor, make_dataset, make_org, make_user, upload_bytes

pytestmark = pytest.mark.slow
# Far below the slow file's processing (12 s alone on a quiet machine), far above the quick
# file's (0.3 s): a limit near the slow file's time let it finish on a quiet machine.
LIMIT = 3


def _status(services: Services, resource_id: str) -> ResourceVersion:
    with services.sessions() as session:
        version = session.query(ResourceVersion).filter_by(resource_id=resource_id).one()
        session.expunge(version)
        return version


def _upload(services: Services, data: bytes, filename: str) -> str:
    org = make_org(services)  # another organization each time
    publisher = actor(services, make_user(services, org, Role.PUBLISHER))
    dataset = make_dataset(services, publisher, org)
    return upload_bytes(services, publisher, dataset.name, data, filename)


def test_slow_file_stops_at_the_time_limit_without_blocking_other_jobs(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "instance", max_upload_mb=120)
    prepare(settings)
    services = build_services(settings)
    # Many short cells: every one is cast, validated and scanned (about 40 MB, 12 M cells).
    head = "ma,ten," + ",".join(f"so_{c}" for c in range(22)) + "\n"
    rows = "".join(
        f"{i},Hộ {i}," + ",".join(str((i * c) % 997) for c in range(22)) + "\n"
        for i in range(500_000)
    )
    slow = _upload(services, (head + rows).encode(), "ho-dan.csv")
    quick = _upload(services, SAMPLE_CSV, "tram.csv")  # queued after the slow one
    env = environment(settings, OPENDATA_JOB_TIME_LIMIT=str(LIMIT), OPENDATA_JOB_WORKERS="2")
    env.pop("DATABASE_URL")
    worker = start(["worker"], env, tmp_path / "worker.log")
    try:
        ready = wait_until(lambda: _status(services, quick).status == "ready", 120, 0.2)
        assert ready, worker.text()[-3000:]
        # The quick file of another organization did not wait for the slow one.
        assert _status(services, slow).status == "processing"

        stopped = wait_until(lambda: _status(services, slow).status != "processing", 120, 0.5)
        assert stopped, worker.text()[-3000:]
        version = _status(services, slow)
        assert (version.status, version.error_code) == ("failed", "time-limit")
        assert version.error_params == {"seconds": LIMIT}
        assert "job stopped at its time limit" in worker.text()
        assert worker.stop() == 0
    finally:
        worker.kill_group()
        services.engine.dispose()
