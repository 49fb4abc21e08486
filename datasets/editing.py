"""``DatasetEditor``: the one service surfaces use to create datasets and edit them.

Edits always land on the dataset's working revision (``datasets.revisions``). Each method
opens the transaction and hands the work to the module that holds it: metadata
(``datasets.metadata_edit``), uploads, links and removal (``datasets.resource_edit``),
personal-data decisions (``datasets.decision_edit``), and how an original is read --
encoding, sheet, Table Schema (``datasets.reading_edit``). Processing jobs are queued
after the transaction commits.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session, sessionmaker

from datasets import decision_edit, metadata_edit, reading_edit, resource_edit
from datasets.errors import StorageFull, is_disk_full
from datasets.lifecycle import require_on_dataset
from datasets.metadata_input import DatasetMetadata
from datasets.model import Dataset, ResourceVersion
from datasets.personal import ColumnDecision, columns_emptied
from datasets.place_codes import unit_codes_change
from datasets.queries import get_dataset_row
from datasets.queue import TaskQueue
from datasets.resource_edit import JOB_PROCESS_VERSION, ResourceInput
from datasets.storage import BlobStore
from datasets.uploads import StagedUpload, StoredUpload
from publishers import Actor, Permission, require, utcnow

if TYPE_CHECKING:
    from datasets.vault import Vault

log = logging.getLogger(__name__)


class DatasetEditor:
    """Create datasets and edit their working revision."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        vault: Vault,
        public_store: BlobStore,
        queue: TaskQueue,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self._vault = vault
        self._public = public_store
        self._queue = queue
        self._clock = clock

    # -- datasets ------------------------------------------------------------------

    def create(
        self, actor: Actor, organization_id: str, meta: DatasetMetadata, *, name: str = ""
    ) -> Dataset:
        """Create a draft dataset in the organization; its name is the folded title slug."""
        require(actor, Permission.CREATE_DATASET, organization_id)
        assert actor.user_id is not None
        now = self._clock()
        with self._sessions.begin() as session:
            dataset = metadata_edit.create_dataset(
                session, actor.user_id, organization_id, meta, name=name, now=now
            )
        log.info("dataset created", extra={"dataset_id": dataset.id})
        return dataset

    def update_metadata(
        self, actor: Actor, name: str, meta: DatasetMetadata, *, expected_version: int | None
    ) -> Dataset:
        """Replace the working revision's metadata.

        Raises ``StaleVersion`` when ``expected_version`` is not the dataset's current
        lock version (someone else saved meanwhile); None skips the check (CKAN API,
        last writer wins, both edits recorded).
        """
        with self._sessions.begin() as session:
            return metadata_edit.update_metadata(
                session, actor, name, meta, expected_version=expected_version, clock=self._clock
            )

    # -- resources -----------------------------------------------------------------

    def check_upload(self, actor: Actor, name: str) -> None:
        """Raise ``NotFound``/``PermissionDenied`` unless the actor may add files to the
        dataset: asked before an upload's body is read, so a refused one stores nothing."""
        with self._sessions() as session:
            dataset = get_dataset_row(session, name)
            require_on_dataset(actor, Permission.EDIT_DATASET, dataset)

    def add_upload(
        self,
        actor: Actor,
        name: str,
        upload: StagedUpload | StoredUpload,
        info: ResourceInput,
        *,
        resource_id: str | None = None,
        expected_version: int | None = None,
        decisions: Sequence[ColumnDecision] = (),
    ) -> ResourceVersion:
        """Add an uploaded file as a new resource (or a new version of ``resource_id``).

        A staged original is encrypted into the vault at once and the staged file removed;
        one encrypted as it was received (``StoredUpload``) is in the vault already.
        Processing (format, validation, personal data) runs as a background job.
        A caller who may not edit the dataset is refused before anything is stored (the
        staged file, or the stored original, is removed). ``decisions`` are personal-data
        decisions made before the upload (a harvest's, already applied to the file);
        processing keeps those whose column it finds, as it keeps a steward's.
        """
        original = upload.original_key if isinstance(upload, StoredUpload) else None
        try:
            self.check_upload(actor, name)
            original = self._store_original(upload)
            with self._sessions.begin() as session:
                version = resource_edit.add_upload_version(
                    session,
                    actor,
                    name,
                    upload,
                    original,
                    info,
                    resource_id=resource_id,
                    expected_version=expected_version,
                    decisions=decisions,
                    clock=self._clock,
                )
        except BaseException:
            if isinstance(upload, StagedUpload):
                upload.path.unlink(missing_ok=True)
            if original is not None:  # refused or failed: no orphan original in the vault
                self._vault.discard(original)
            raise
        self._queue.enqueue(JOB_PROCESS_VERSION, {"version_id": version.id})
        return version

    def _store_original(self, upload: StagedUpload | StoredUpload) -> str:
        """The vault key of the upload's original (a staged one is encrypted now)."""
        if isinstance(upload, StoredUpload):
            return upload.original_key
        try:
            return self._vault.store_file(upload.path)
        except OSError as exc:
            if is_disk_full(exc):
                raise StorageFull("no space to store the upload") from exc
            raise
        finally:  # the plaintext never stays in staging, stored or not
            upload.path.unlink(missing_ok=True)

    def add_link(
        self, actor: Actor, name: str, url: str, info: ResourceInput, *, fmt: str = ""
    ) -> ResourceVersion:
        """Add a resource that links to a file elsewhere (http or https only)."""
        resource_edit.check_link_url(url)
        with self._sessions.begin() as session:
            return resource_edit.add_link_version(
                session, actor, name, url, info, fmt=fmt, clock=self._clock
            )

    def remove_resource(self, actor: Actor, name: str, resource_id: str) -> None:
        """Remove a resource from the working revision (older revisions keep it)."""
        with self._sessions.begin() as session:
            resource_edit.remove_resource(session, actor, name, resource_id, self._clock)

    def set_decisions(
        self,
        actor: Actor,
        name: str,
        resource_id: str,
        decisions: Sequence[Mapping[str, str]],
    ) -> ResourceVersion:
        """Record personal-data decisions for a resource and rebuild its public file.

        ``decisions`` are as entered (``column``, ``action``, ``justification``): each is
        checked here. A version that is already live is never changed: the decisions go
        to a copy in the working revision. ``keep`` needs a steward and a written
        justification.
        """
        with self._sessions.begin() as session:
            version = decision_edit.record_decisions(
                session, actor, name, resource_id, decisions, self._clock, emptied=self._emptied
            )
        self._queue.enqueue(JOB_PROCESS_VERSION, {"version_id": version.id, "rebuild": True})
        return version

    def set_agency_decisions(
        self,
        actor: Actor,
        name: str,
        resource_id: str,
        decisions: Sequence[Mapping[str, str]],
    ) -> ResourceVersion:
        """Record the agency projection's decisions for a resource and rebuild its files.

        Checked as ``set_decisions`` checks public ones; they take effect when a steward
        approves the revision, for readers at the ``agencies`` and ``restricted`` levels.
        """
        with self._sessions.begin() as session:
            version = decision_edit.record_decisions(
                session,
                actor,
                name,
                resource_id,
                decisions,
                self._clock,
                agency=True,
                emptied=self._emptied,
            )
        self._queue.enqueue(JOB_PROCESS_VERSION, {"version_id": version.id, "rebuild": True})
        return version

    def _emptied(self, version: ResourceVersion, decisions: list[ColumnDecision]) -> list[str]:
        """The columns ``decisions`` would leave empty, read on the table's first rows."""
        if version.normalized_key is None:
            return []
        with self._vault.decrypted(version.normalized_key, ".csv") as normalized:
            return columns_emptied(normalized, decisions)

    def reprocess(
        self,
        actor: Actor,
        name: str,
        resource_id: str,
        *,
        encoding: str | None = None,
        sheet: str | None = None,
        expected_version: int | None = None,
    ) -> ResourceVersion:
        """Read the resource's original again with a corrected encoding or sheet.

        The schema is inferred again (the header may read differently); validation and
        the personal-data scan run again in the background. A live version is copied.
        Raises ``InvalidInput`` for an encoding Python does not know.
        """
        change = reading_edit.reading_change(encoding, sheet)
        return self._change_reading(actor, name, resource_id, expected_version, "reprocess", change)

    def set_schema(
        self,
        actor: Actor,
        name: str,
        resource_id: str,
        schema: dict[str, Any],
        *,
        expected_version: int | None = None,
    ) -> ResourceVersion:
        """Replace the resource's Table Schema and validate the table against it again.

        Raises ``InvalidInput`` when Frictionless would not accept the descriptor.
        """
        change = reading_edit.schema_change(schema)
        return self._change_reading(actor, name, resource_id, expected_version, "schema", change)

    def add_unit_codes(
        self,
        actor: Actor,
        name: str,
        resource_id: str,
        column: str,
        *,
        expected_version: int | None = None,
    ) -> ResourceVersion:
        """Add the current unit's code and name after a recognized place column (issue 22),
        then process the table again: the public file carries them.

        Raises ``InvalidInput`` unless ``column`` is a recognized province, ward or commune
        column without them.
        """
        change = unit_codes_change(column)
        return self._change_reading(
            actor, name, resource_id, expected_version, "unit_codes", change
        )

    def _change_reading(
        self,
        actor: Actor,
        name: str,
        resource_id: str,
        expected_version: int | None,
        action: str,
        change: reading_edit.VersionChange,
    ) -> ResourceVersion:
        with self._sessions.begin() as session:
            version = reading_edit.change_reading(
                session,
                actor,
                name,
                resource_id,
                expected_version=expected_version,
                action=action,
                change=change,
                clock=self._clock,
            )
        self._queue.enqueue(JOB_PROCESS_VERSION, {"version_id": version.id})
        return version
