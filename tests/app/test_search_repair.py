"""A damaged search index: ``/readyz`` says so, ``opendata index rebuild`` repairs it.

The index is a real Whoosh index in the data dir, damaged the ways disks and operators
damage it: segment files truncated or garbled, the table of contents overwritten, the
folder emptied. The app under test keeps running (its index object stays open, warm
caches included) while the rebuild runs as the CLI does, with its own index object: the
running app must pick the new index up by itself.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli import main
from search_index import SearchQuery
from tests.factories import publish_sample

TITLE = "Chất lượng không khí quận Bình Thạnh"


def _truncate(path: Path) -> None:
    for f in path.rglob("*.seg"):
        f.write_bytes(f.read_bytes()[:100])


def _garble(path: Path) -> None:
    for f in path.rglob("*.seg"):
        data = bytearray(f.read_bytes())
        for i in range(16, len(data)):  # every byte after the file header
            data[i] ^= 0x5A
        f.write_bytes(bytes(data))


def _garble_toc(path: Path) -> None:
    for f in path.rglob("*.toc"):
        f.write_bytes(b"\x00garbage" * 8)


def _empty(path: Path) -> None:
    for entry in path.iterdir():
        shutil.rmtree(entry) if entry.is_dir() else entry.unlink()


DAMAGE = {"truncated": _truncate, "garbled": _garble, "toc": _garble_toc, "emptied": _empty}


def _rebuild(settings) -> str:
    env = {"OPENDATA_DATA_DIR": str(settings.data_dir), "DATABASE_URL": settings.database_url}
    result = CliRunner().invoke(main, ["index", "rebuild"], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("damage", sorted(DAMAGE))
@pytest.mark.parametrize("rounds", [1, 2], ids=["first-rebuild", "after-a-rebuild"])
def test_damaged_index_fails_readyz_and_rebuild_restores_search(
    services, settings, client, damage: str, rounds: int
) -> None:
    dataset, *_ = publish_sample(services, title=TITLE)
    if rounds == 2:  # the index already lives in a generation folder
        _rebuild(settings)
    index_dir = Path(settings.data_dir) / "index"
    assert client.get("/readyz").status_code == 200
    assert TITLE in client.get("/dataset?q=khong+khi").get_data(as_text=True)  # warm caches

    DAMAGE[damage](index_dir)

    ready = client.get("/readyz")
    assert ready.status_code == 503, ready.get_json()
    assert ready.get_json()["checks"]["search"] == "unreadable"
    assert ready.get_json()["checks"]["database"] == "ok"

    assert "indexed 1 datasets" in _rebuild(settings)

    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.get_json()
    hits = services.search.search(SearchQuery(text="khong khi binh thanh")).hits
    assert [h.name for h in hits] == [dataset.name]
    assert TITLE in client.get("/dataset?q=khong+khi").get_data(as_text=True)
    # Only the new index is left: the replaced one is removed.
    assert [p.name for p in index_dir.iterdir() if p.is_dir()] == [
        (index_dir / "CURRENT").read_text().strip()
    ]


def test_a_restart_on_an_emptied_index_folder_is_not_ready(services, settings) -> None:
    from app import create_app
    from app.services import build_services

    dataset, *_ = publish_sample(services, title=TITLE)
    _empty(Path(settings.data_dir) / "index")
    restarted = build_services(settings)  # a new process: an empty index is created
    try:
        client = create_app(settings, restarted).test_client()
        ready = client.get("/readyz")
        assert ready.status_code == 503 and ready.get_json()["checks"]["search"] == "empty"
        _rebuild(settings)
        assert client.get("/readyz").status_code == 200
        hits = restarted.search.search(SearchQuery(text="khong khi")).hits
        assert [h.name for h in hits] == [dataset.name]
    finally:
        restarted.engine.dispose()
