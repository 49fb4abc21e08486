"""README "Bulk data and mirroring": the documented mirror script, run against a live portal."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.factories import SAMPLE_CSV, publish_sample

README = Path(__file__).resolve().parents[2] / "README.md"
OTHER_CSV = "ma,ten,so\nX1,Một,1\nX2,Hai,2\n".encode()


def _documented_mirror() -> Any:
    text = README.read_text(encoding="utf-8")
    (block,) = re.findall(r"```python mirror\n(.*?)```", text, re.DOTALL)
    namespace: dict[str, Any] = {}
    exec(compile(block, "README.md (mirror)", "exec"), namespace)  # the README's own code
    return namespace["mirror"]


def _table(folder: Path, name: str) -> str:
    (path,) = list((folder / "datasets" / name).glob("*.csv"))
    return path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")


def test_the_documented_mirror_follows_the_archive_and_the_change_feed(
    live_server, services, tmp_path
) -> None:
    mirror = _documented_mirror()
    first, _rid, _publisher, steward = publish_sample(services)
    services.build_bulk_archive()
    copy = tmp_path / "copy"
    since = mirror(live_server.url, copy)
    assert (copy / "catalog" / "data.json").exists() and (copy / "catalog" / "catalog.ttl").exists()
    assert _table(copy, first.name) == SAMPLE_CSV.decode()
    # a new publication and a withdrawal after the archive reach the copy on the next call
    second, _rid2, _p2, _s2 = publish_sample(services, title="Danh mục thử", data=OTHER_CSV)
    services.workflow.withdraw(steward, first.name, "Dữ liệu cũ, thay bằng bộ mới.")
    later = mirror(live_server.url, copy, since=since)
    assert later >= since  # feed timestamps are whole seconds: all this may fit in one
    assert _table(copy, second.name) == OTHER_CSV.decode()
    assert (copy / "datasets" / second.name / "datapackage.json").exists()
    assert list((copy / "datasets" / first.name).glob("*")) == []
    # nothing new: the same moment comes back, nothing changes
    assert mirror(live_server.url, copy, since=later) == later
