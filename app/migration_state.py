"""Whether a database is at every migration head, told without Alembic (issue 24).

Importing Alembic and building its script directory costs a second of CPU, and the start-up
step (``app.startup``) runs at every `opendata serve` and `opendata worker`, where the
database is nearly always current already. The heads are read here from the migration
files' ``revision``/``down_revision`` assignments (parsed, never imported) and compared with
the rows of the ``alembic_version`` table. Whatever this cannot read with certainty (a file
it cannot parse, ``depends_on``, no version table) answers "not known", and the start-up step
then runs Alembic's upgrade as before.
"""

from __future__ import annotations

import ast
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.exc import SQLAlchemyError

VERSIONS = Path(__file__).parent / "migrations" / "versions"
_NAMES = frozenset({"revision", "down_revision", "depends_on"})


def migration_heads(versions: Path = VERSIONS) -> frozenset[str] | None:
    """The revisions no other migration revises, or None when a file cannot be read."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in sorted(versions.glob("*.py")):
        if path.name.startswith("_"):
            continue
        values = _assignments(path)
        if values is None or values.get("depends_on") is not None:
            return None
        revision, down = values.get("revision"), values.get("down_revision")
        if not isinstance(revision, str):
            return None
        revisions.add(revision)
        if isinstance(down, str):
            parents.add(down)
        elif isinstance(down, tuple | list) and all(isinstance(d, str) for d in down):
            parents.update(down)
        elif down is not None:
            return None
    heads = revisions - parents
    return frozenset(heads) if heads else None


def _assignments(path: Path) -> dict[str, object] | None:
    """The module-level ``revision``, ``down_revision`` and ``depends_on`` of a migration."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    except (OSError, SyntaxError, ValueError):
        return None
    values: dict[str, object] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name) and target.id in _NAMES:
            try:
                values[target.id] = ast.literal_eval(value)
            except ValueError:
                return None
    return values


def stored_revisions(database_url: str) -> frozenset[str] | None:
    """The rows of ``alembic_version``, or None when the table cannot be read."""
    if not database_url.startswith("sqlite"):  # the package loads the ORM: SQLite needs none
        from publishers.db import engine_url

        database_url = engine_url(database_url)
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT version_num FROM alembic_version"))
            return frozenset(str(row[0]) for row in rows)
    except SQLAlchemyError:  # no table yet, or the database is locked: Alembic decides
        return None
    finally:
        engine.dispose()


def database_is_current(database_url: str) -> bool:
    """True only when the database's revisions are known to be exactly every head."""
    heads = migration_heads()
    return heads is not None and stored_revisions(database_url) == heads
