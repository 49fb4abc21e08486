"""Changing how a resource's original is read: encoding, sheet, Table Schema.

Each change lands on an editable copy of the version in the working revision and sends
it back to processing; ``DatasetEditor`` opens the transaction and queues the job.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from datasets.model import ResourceVersion, VersionStatus
from datasets.queries import get_dataset
from datasets.revisions import editable_version, find_entry, record_activity, working_revision
from datasets.schema_edit import check_schema
from publishers import Actor, InvalidInput, NotFound

VersionChange = Callable[[ResourceVersion], None]


def reading_change(encoding: str | None, sheet: str | None) -> VersionChange:
    """The change that reads the original with ``encoding`` and ``sheet`` (None: detect).

    Raises ``InvalidInput`` for an encoding Python does not know.
    """
    if encoding:
        try:
            encoding = codecs.lookup(encoding).name
        except LookupError:
            raise InvalidInput("unknown encoding", {"encoding": ["unknown_encoding"]}) from None
    chosen_encoding, chosen_sheet = encoding or None, (sheet or "").strip() or None

    def apply(version: ResourceVersion) -> None:
        version.encoding_override = chosen_encoding
        version.sheet = chosen_sheet
        version.table_schema = None  # inferred again from the new reading

    return apply


def schema_change(schema: dict[str, Any]) -> VersionChange:
    """The change that replaces a table's Table Schema with ``schema``.

    Raises ``InvalidInput`` when Frictionless would not accept the descriptor (at once),
    or when the resource is not a table (when applied).
    """
    check_schema(schema)

    def apply(version: ResourceVersion) -> None:
        if not version.is_tabular:
            raise InvalidInput("not a table", {"schema": ["not_tabular"]})
        version.table_schema = schema

    return apply


def change_reading(
    session: Session,
    actor: Actor,
    name: str,
    resource_id: str,
    *,
    expected_version: int | None,
    action: str,
    change: VersionChange,
    clock: Callable[[], datetime],
) -> ResourceVersion:
    """Apply ``change`` to the uploaded resource's editable version and mark it to process.

    Links and resources without an original are not found.
    """
    dataset = get_dataset(session, name, for_update=True)
    revision = working_revision(session, actor, dataset, expected_version, clock)
    entry = find_entry(revision, resource_id)
    if entry is None or entry.version.url or entry.version.original_key is None:
        raise NotFound("resource not found")
    version = editable_version(session, dataset, entry, clock)
    change(version)
    version.status = VersionStatus.PROCESSING.value
    record_activity(
        session,
        dataset,
        actor.user_id,
        action,
        now=clock(),
        details={"resource_id": resource_id},
    )
    return version
