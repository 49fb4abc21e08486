"""The start-up step skips Alembic on a current database and still migrates an old one (issue 24).

``app.migration_state`` tells the heads from the migration files without Alembic; these
tests hold it to Alembic's own answer and run the start-up step on both kinds of data dir.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory

from app.config import Settings
from app.database import alembic_config
from app.migration_state import migration_heads, stored_revisions
from app.startup import prepare
from tests.conftest import copy_sqlite

# What a process that ran the start-up step had to import, and what the database holds.
_PROBE = """
import json, sys
from app.config import load_settings
from app.startup import prepare
prepare(load_settings())
loaded = sorted(m for m in ("alembic", "alembic.runtime.migration") if m in sys.modules)
print(json.dumps(loaded))
"""


def _tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    conn.close()
    return {str(name) for (name,) in rows}


def test_heads_read_from_the_files_are_alembics_heads() -> None:
    heads = migration_heads()
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert heads == frozenset(script.get_heads())
    assert "0019_bulk" in heads and "0001" not in heads


def test_merges_count_and_unreadable_histories_are_unknown(tmp_path: Path) -> None:
    def write(name: str, body: str) -> None:
        (tmp_path / name).write_text(body, encoding="utf-8")

    write("a.py", 'revision = "a"\ndown_revision = None\n')
    write("b.py", 'revision = "b"\ndown_revision = "a"\n')
    write("c.py", 'revision: str = "c"\ndown_revision = "a"\n')
    assert migration_heads(tmp_path) == {"b", "c"}
    write("d.py", 'revision = "d"\ndown_revision = ("b", "c")\n')
    assert migration_heads(tmp_path) == {"d"}
    write("e.py", 'revision = "e"\ndown_revision = "d"\ndepends_on = "c"\n')
    assert migration_heads(tmp_path) is None  # dependencies: Alembic decides
    write("e.py", 'revision = make_name()\ndown_revision = "d"\n')
    assert migration_heads(tmp_path) is None


def test_current_data_dir_starts_without_alembic(tmp_path: Path, migrated_sqlite: Path) -> None:
    data_dir = tmp_path / "instance"
    data_dir.mkdir()
    copy_sqlite(migrated_sqlite, data_dir / "portal.sqlite3")
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENDATA_")}
    env.pop("DATABASE_URL", None)
    env["OPENDATA_DATA_DIR"] = str(data_dir)
    done = subprocess.run(
        [sys.executable, "-c", _PROBE], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == []
    url = Settings(data_dir=data_dir).effective_database_url
    assert stored_revisions(url) == migration_heads()
    assert (data_dir / "jobs.sqlite3").exists() and (data_dir / "index").is_dir()


def test_out_of_date_data_dir_is_migrated(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "instance")
    settings.data_dir.mkdir()
    database = settings.data_dir / "portal.sqlite3"
    url = settings.effective_database_url
    command.upgrade(alembic_config(url), "0018_webhooks")  # an older version's database
    assert stored_revisions(url) == {"0018_webhooks"}
    assert "bulk_archives" not in _tables(database)

    prepare(settings)

    assert stored_revisions(url) == migration_heads()
    assert {"bulk_archives", "harvest_sources", "usage_counts"} <= _tables(database)


def test_version_table_is_read_on_either_backend(database_url: str) -> None:
    assert stored_revisions(database_url) == migration_heads()


def test_database_without_version_table_is_unknown(tmp_path: Path) -> None:
    assert stored_revisions(f"sqlite:///{tmp_path / 'empty.sqlite3'}") is None
