"""Files that must fail fast, alone: each upload ends ready or failed with a clear reason."""

from __future__ import annotations

import time
from typing import Any

import pytest

from datasets.ingest import MAX_COLUMNS, MAX_ROW_CHARS
from publishers import Role
from tests.factories import PASSWORD, actor, make_dataset, make_org, make_user, upload_bytes


class Uploaded:
    """One upload processed by the real pipeline, and how long it took."""

    def __init__(self, version: Any, seconds: float, dataset: str, user: str) -> None:
        self.version, self.seconds, self.dataset, self.user = version, seconds, dataset, user


def _upload(services, data: bytes, filename: str = "data.csv") -> Uploaded:
    from datasets.model import ResourceVersion

    org = make_org(services)
    user = make_user(services, org, Role.PUBLISHER)
    publisher = actor(services, user)
    dataset = make_dataset(services, publisher, org)
    started = time.monotonic()
    resource_id = upload_bytes(services, publisher, dataset.name, data, filename)
    seconds = time.monotonic() - started
    with services.sessions() as session:
        version = (
            session.query(ResourceVersion)
            .filter_by(resource_id=resource_id)
            .order_by(ResourceVersion.created.desc())
            .first()
        )
        session.expunge_all()
    return Uploaded(version, seconds, dataset.name, user.name)


def _page(client, auth, uploaded: Uploaded) -> str:
    client.set_cookie("lang", "en")
    auth.login(uploaded.user, PASSWORD)
    return client.get(f"/dataset/{uploaded.dataset}/manage").get_data(as_text=True)


LONG_ROW = b"ma,ghi_chu\n1," + b"x," * (1024 * 1024) + b"\n2,y\n"  # a 2 MiB line
NAMED_HEADER = b",".join([b"a"] * 1_000_000) + b"\n1\n"  # a million named columns
EMPTY_HEADER = b"," * 999_999 + b"\n1\n"  # a million columns in 1 MB


@pytest.mark.parametrize(
    ("data", "code", "params", "shown"),
    [
        (
            LONG_ROW,
            "row-too-long",
            {"row": 2, "limit": MAX_ROW_CHARS},
            "Row 2 is longer than 1,048,576 characters, the most one row may hold",
        ),
        (
            NAMED_HEADER,
            "row-too-long",
            {"row": 1, "limit": MAX_ROW_CHARS},
            "Row 1 is longer than 1,048,576 characters",
        ),
        (
            EMPTY_HEADER,
            "too-many-columns",
            {"row": 1, "columns": 1_000_000, "limit": MAX_COLUMNS},
            "Row 1 has 1,000,000 cells; a table may have at most 16,384 columns.",
        ),
    ],
    ids=["2-mib-line", "million-named-columns", "million-empty-columns"],
)
def test_an_overlong_row_fails_its_file_within_seconds(
    services, client, auth, data: bytes, code: str, params: dict[str, int], shown: str
) -> None:
    uploaded = _upload(services, data)
    version = uploaded.version
    assert (version.status, version.error_code, version.error_params) == ("failed", code, params)
    assert uploaded.seconds < 15, uploaded.seconds  # was: never finished
    assert version.public_sha256 is None and version.normalized_key is None
    assert shown in _page(client, auth, uploaded)


def test_a_long_row_under_the_limit_is_published_whole(services) -> None:
    # 10 cells of 100,000 "ư" (2 bytes each): one line of 2 MB, over the 1 MiB read chunk.
    cells = ["ư" * 100_000 + str(i) for i in range(10)]
    header = ",".join(f"cot_{i}" for i in range(10))
    data = f"{header}\n{','.join(cells)}\n{','.join(['1'] * 10)}\n".encode()
    uploaded = _upload(services, data)
    version = uploaded.version
    assert (version.status, version.error_code, version.row_count) == ("ready", None, 2)
    assert uploaded.seconds < 30, uploaded.seconds
    body = services.public_store.local_path(version.public_sha256).read_text(encoding="utf-8")
    assert body.splitlines()[1].split(",") == cells
