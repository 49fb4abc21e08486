"""Process an uploaded resource version: format, validation, personal data, public file.

Runs as a background job. Every outcome is stored on the version (status, report,
findings, error code), so the publisher sees it and nothing is lost on failure.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from datasets.column_labels import LABEL_KEYS, carry_labels, earlier_schemas
from datasets.datastore import Datastore, DatastoreError
from datasets.datastore_staging import Projections
from datasets.datastore_sync import live_level, live_revision_number
from datasets.errors import BlobNotFound
from datasets.ingest import (
    IngestError,
    detect_format,
    normalize_to_csv,
    refuse_markup_named_as_table,
)
from datasets.model import Dataset, Resource, ResourceVersion, VersionStatus
from datasets.personal import (
    BY_POLICY,
    DEFAULT_POLICY,
    Action,
    ColumnDecision,
    Finding,
    Policy,
    apply_actions,
    decide,
    generalized_places,
    smallest_group_size,
)
from datasets.place_codes import add_unit_columns, added_unit_columns
from datasets.progress import ProgressBoard
from datasets.statistics import statistics_or_none
from datasets.storage import BlobStore, put_scratch_file
from datasets.table_analysis import PreparedAnalyses, analyse_normalized
from datasets.vault import Vault

log = logging.getLogger(__name__)

# Files smaller than this are processed in about a second: no progress is written for them
# (a harvest of thousands of small files would pay for files nobody watches).
PROGRESS_MIN_BYTES = 1 << 20

# Processing runs started for one upload before crash recovery gives up on it (issue 14).
MAX_ATTEMPTS = 3
# Error codes of uploads whose processing a job process stopped (issue 14).
INTERRUPTED = "interrupted"
TIME_LIMIT = "time-limit"

# Actions after which a column's values are no longer of the schema's type.
_RETYPED = frozenset({Action.MASK, Action.HASH, Action.GENERALIZE, Action.REDACT})
# Identifiers written with digits: kept as they are, they stay text (a phone's leading zero
# would be lost in JSON or XLSX if inference had typed the column as a number).
_CODE_KINDS = frozenset(
    {"citizen_id", "id_card", "phone", "tax_code", "social_insurance", "bank_account"}
)


class Processor:
    """Turns a stored original into a validated, stripped, publishable file."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        vault: Vault,
        public_store: BlobStore,
        policy_for: Callable[[str], Policy],
        hash_key: bytes,
        quasi_identifiers: Sequence[str],
        datastore: Datastore,
        progress: ProgressBoard | None = None,
        shared_datastore: Datastore | None = None,
    ) -> None:
        # Where each access level's table goes (the shared datastore holds the tables of
        # datasets at the registered/agencies/restricted levels, issue 18), from which file.
        self.projections = Projections(public_store, vault, datastore, shared_datastore)
        # Where a job says how far it has got; the status endpoint reads it. Only files
        # large enough to take a while are followed (ids of the versions being followed).
        self.progress = progress
        self._followed: set[str] = set()
        self._sessions = sessions
        self._vault = vault
        self._public = public_store
        self._policy_for = policy_for
        self._hash_key = hash_key
        self._quasi = tuple(quasi_identifiers)
        # Filled by harvest jobs with analyses made ahead, in worker processes.
        self.prepared = PreparedAnalyses()

    def run_job(self, payload: Mapping[str, Any]) -> None:
        """Job handler: process ``payload["version_id"]`` (``rebuild``: strip again only).

        A version no longer processing (a duplicate of a job that already ran) is left as
        it is; one whose processing was started ``MAX_ATTEMPTS`` times already (crashes,
        out of memory) is marked failed with ``interrupted`` instead of being tried again.
        """
        version_id = str(payload["version_id"])
        if self.begin_attempt(version_id):
            self.process(version_id, rebuild=bool(payload.get("rebuild")))

    def begin_attempt(self, version_id: str) -> bool:
        """Count a processing run of the version (committed); False when it must not run."""
        with self._sessions.begin() as session:
            version = session.get(ResourceVersion, version_id)
            if version is None or version.status != VersionStatus.PROCESSING.value:
                return False
            if version.processing_attempts >= MAX_ATTEMPTS:
                _fail(version, INTERRUPTED, {"attempts": version.processing_attempts})
                log.warning("processing given up", extra={"version_id": version_id})
                return False
            version.processing_attempts += 1
            return True

    def retry_or_fail(self, version_id: str) -> bool:
        """After a processing run died (killed, out of memory): True to try once more.

        Once ``MAX_ATTEMPTS`` runs were started, the version is marked failed with
        ``interrupted`` instead, and False is returned.
        """
        with self._sessions.begin() as session:
            version = session.get(ResourceVersion, version_id)
            if version is None or version.status != VersionStatus.PROCESSING.value:
                return False
            if version.processing_attempts < MAX_ATTEMPTS:
                return True
            _fail(version, INTERRUPTED, {"attempts": version.processing_attempts})
            log.warning("processing given up", extra={"version_id": version_id})
            return False

    def mark_failed(self, version_id: str, code: str, params: Mapping[str, Any]) -> None:
        """Record that processing of the version was stopped (time limit, interruptions)."""
        with self._sessions.begin() as session:
            version = session.get(ResourceVersion, version_id)
            if version is not None and version.status == VersionStatus.PROCESSING.value:
                _fail(version, code, _plain(params))

    def process(self, version_id: str, *, rebuild: bool = False) -> None:
        """Process the version; failures are recorded on it, never raised."""
        with self._sessions.begin() as session:
            version = session.get(ResourceVersion, version_id)
            if version is None or version.url:
                return
            self.process_in(session, version, rebuild=rebuild)

    def process_in(
        self,
        session: Session,
        version: ResourceVersion,
        *,
        rebuild: bool = False,
        organization_id: str = "",
    ) -> None:
        """``process`` of a version of ``session`` (the caller commits: a harvest batch)."""
        version_id = version.id
        organization_id = organization_id or _organization_of(session, version)
        if self.progress is not None and (version.original_size or 0) >= PROGRESS_MIN_BYTES:
            self._followed.add(version_id)
        try:
            stripped = False
            if not rebuild or version.normalized_key is None:
                stripped = self._analyse(version, organization_id)
            if version.is_tabular and not stripped:
                self._stage(version_id, "stripping")
                self._build_public_table(version)
            version.status = VersionStatus.READY.value
            version.error_code, version.error_params = None, None
        except IngestError as exc:
            version.status = VersionStatus.FAILED.value
            version.error_code, version.error_params = exc.code, _plain(exc.params)
            log.info("resource rejected", extra={"version_id": version_id, "code": exc.code})
        except Exception:
            # A defect of ours, not of the file: the publisher gets a reference to quote,
            # never the exception's text; the traceback goes to the server log.
            reference = uuid.uuid4().hex[:12]
            version.status = VersionStatus.FAILED.value
            version.error_code = "processing-failed"
            version.error_params = {"reference": reference}
            log.exception(
                "resource processing failed",
                extra={"version_id": version_id, "reference": reference},
            )
        finally:
            if version_id in self._followed and self.progress is not None:
                self._followed.discard(version_id)
                self.progress.clear(version_id)
        version.processing_attempts = 0  # finished: the next change starts afresh

    def load_job(self, payload: Mapping[str, Any]) -> None:
        """Job handler: load a published version's public table into the datastore."""
        self.load_into_datastore(str(payload["version_id"]))

    def load_into_datastore(self, version_id: str) -> bool:
        """Load the version's projection into its resource's datastore table.

        A dataset at the ``public`` level goes to the public datastore (the SQL endpoint
        reads it); one at the ``registered`` level goes to the shared datastore with its
        public file, one at ``agencies``/``restricted`` with its agency file (decrypted from
        the vault; the public file where there are no agency decisions); ``catalog-only``
        is loaded nowhere. Only the resource's version in the dataset's live revision is
        loaded, ranked by that revision's number: a late job for an older version is
        skipped, and one still loading when a newer publication's load lands is discarded
        by the datastore. The table is replaced only when the load succeeds; returns
        whether it did.
        """
        with self._sessions.begin() as session:
            version = session.get(ResourceVersion, version_id)
            if version is None:
                return False
            return self.load_version(session, version)

    def strip_again(self, version: ResourceVersion) -> None:
        """Build the version's public (and agency) file again from its normalized table."""
        self._build_public_table(version)

    def load_version(self, session: Session, version: ResourceVersion) -> bool:
        """``load_into_datastore`` for a version of ``session`` (its caller commits).

        A table staged at submission with the same file, schema and level is swapped in
        without reading the file (``datasets.datastore_staging``).
        """
        version_id = version.id
        if not version.is_tabular or not version.public_sha256:
            return False
        order = live_revision_number(session, version)
        level = live_level(session, version)
        if order is None or level is None:
            log.info(
                "datastore load skipped: not the live version", extra={"version_id": version_id}
            )
            return False
        target = self.projections.of(version, level)
        if target is None:
            return False
        store, info = target.datastore, None
        try:
            info = store.load_staged(version.resource_id, target.key, order=order)
            if info is None or target.public:  # a swap needs no file, statistics do
                with target.source() as path:
                    if info is None:
                        info = store.load(version.resource_id, path, target.schema, order=order)
                    if target.public:  # after the datastore's commit: readers need not wait
                        version.column_stats = statistics_or_none(path, target.schema, version_id)
        except BlobNotFound:
            if info is None:
                return False
        except DatastoreError as exc:
            log.warning("datastore load failed", extra={"version_id": version_id, "code": exc.code})
            return False
        version.datastore_loaded = True
        if target.public:
            version.row_count = info.row_count
        return True

    def _stage(self, version_id: str, stage: str) -> None:
        if self.progress is not None and version_id in self._followed:
            self.progress.update(version_id, stage)

    def _rows(self, version_id: str, total: int | None) -> Callable[[int], None] | None:
        if self.progress is None or version_id not in self._followed:
            return None
        return self.progress.rows_reporter(version_id, "validating", total)

    def _analyse(self, version: ResourceVersion, organization_id: str) -> bool:
        """Analyse the original; strip a table from the plaintext analysed (True then)."""
        assert version.original_key is not None
        self._stage(version.id, "normalizing")
        prepared = None
        if version.table_schema is None and not version.encoding_override and not version.sheet:
            prepared = self.prepared.take(version.original_sha256, version.original_filename)
        with self._vault.decrypted(version.original_key) as original:
            if prepared is not None:
                detected = prepared.detected
            else:
                detected = detect_format(original, version.original_filename)
            version.format = detected.format
            version.media_type = detected.media_type
            version.is_tabular = detected.is_tabular
            version.sheet_names = list(detected.sheet_names) or None
            refuse_markup_named_as_table(detected, version.original_filename or "")
            if not detected.is_tabular:
                blob = self._public.put_file(original)
                version.public_sha256, version.public_size = blob.key, blob.size
                return False
            normalized = self._vault.scratch_file(".csv")
            try:
                table = normalize_to_csv(
                    original,
                    detected,
                    normalized,
                    encoding=version.encoding_override,
                    sheet=version.sheet,
                )
                add_unit_columns(normalized, version.table_schema)  # issue 22
                # Unit columns rewrite the file with other line ends: no copy by lines then.
                by_lines = table.lines_are_rows and not added_unit_columns(version.table_schema)
                version.encoding = table.encoding
                version.sheet = table.sheet
                version.row_count = table.row_count
                if prepared is None:
                    prepared = analyse_normalized(
                        normalized,
                        detected,
                        version.table_schema,
                        rows=self._rows(version.id, table.row_count),
                        scanning=lambda: self._stage(version.id, "scanning"),
                    )
                version.table_schema = (
                    prepared.schema
                    if version.table_schema is not None
                    else carry_labels(prepared.schema, earlier_schemas(version))
                )
                version.validation = prepared.validation
                findings = list(prepared.findings)
                version.findings = [f.to_json() for f in findings]
                decisions = _default_decisions(
                    findings, version.column_decisions, self._policy_for(organization_id)
                )
                version.decisions = [d.to_json() for d in decisions]
                table.refuse_extra_cells()
                version.normalized_key = self._vault.store_file(normalized)
                self._stage(version.id, "stripping")
                self._build_public_table(version, normalized, lines_are_rows=by_lines)
            finally:
                normalized.unlink(missing_ok=True)
        stem = Path(version.filename or "data").stem or "data"
        version.filename = f"{stem}.csv"
        version.format, version.media_type = "CSV", "text/csv"
        return True

    def _build_public_table(
        self, version: ResourceVersion, plain: Path | None = None, *, lines_are_rows: bool = False
    ) -> None:
        """Strip the normalized table by the decisions; leave no public file if undecided.
        ``plain``: the normalized table's plaintext, when the caller has it (``lines_are_rows``:
        as ``normalize_to_csv`` says of it)."""
        if version.undecided_columns():
            version.public_sha256, version.public_size = None, None
            version.agency_key = version.agency_size = version.agency_schema = None
            return
        assert version.normalized_key is not None
        with contextlib.ExitStack() as stack:
            normalized = plain or stack.enter_context(
                self._vault.decrypted(version.normalized_key, ".csv")
            )
            self._strip_public(version, normalized, lines_are_rows)
            self._build_agency_table(version, normalized, lines_are_rows)

    def _strip_public(self, version: ResourceVersion, normalized: Path, by_lines: bool) -> None:
        decisions, findings = version.column_decisions, version.column_findings
        public = self._vault.scratch_file(".csv")
        try:
            apply_actions(
                normalized,
                public,
                decisions,
                findings,
                hash_key=self._hash_key,
                lines_are_rows=by_lines,
            )
            places = generalized_places(decisions)  # quasi-identifiers too
            version.smallest_group = smallest_group_size(
                public, self._quasi, holds_personal_data=bool(findings), places=places
            )
            blob = put_scratch_file(self._public, public)
        finally:
            public.unlink(missing_ok=True)
        version.public_sha256, version.public_size = blob.key, blob.size
        version.public_schema = public_schema(version.table_schema or {}, decisions)

    def _build_agency_table(
        self, version: ResourceVersion, normalized: Path, by_lines: bool
    ) -> None:
        """Strip the normalized table by the agency decisions into the vault (issue 18).

        A column without an agency decision is stripped as in the public file; without any
        agency decision there is no agency file and agency readers get the public file.
        """
        version.agency_key = version.agency_size = version.agency_schema = None
        if not version.agency_decisions or version.normalized_key is None:
            return
        chosen = {d.column: d for d in map(ColumnDecision.from_json, version.agency_decisions)}
        decisions = [chosen.get(d.column, d) for d in version.column_decisions]
        agency = self._vault.scratch_file(".csv")
        try:
            apply_actions(
                normalized,
                agency,
                decisions,
                version.column_findings,
                hash_key=self._hash_key,
                lines_are_rows=by_lines,
            )
            version.agency_size = agency.stat().st_size
            version.agency_key = self._vault.store_file(agency)
        finally:
            agency.unlink(missing_ok=True)
        version.agency_schema = public_schema(version.table_schema or {}, decisions)


def public_schema(schema: Mapping[str, Any], decisions: Sequence[ColumnDecision]) -> dict[str, Any]:
    """Return the Table Schema of the stripped table: dropped fields gone, rewritten as text."""
    actions = {d.column: d.action for d in decisions}
    codes = {d.column for d in decisions if d.kind in _CODE_KINDS}
    fields = []
    for field in schema.get("fields", []):
        action = actions.get(field["name"])
        if action is Action.DROP:
            continue
        if action in _RETYPED or field["name"] in codes:
            field = {k: v for k, v in field.items() if k == "name" or k in LABEL_KEYS}
            field["type"] = "string"
        fields.append(dict(field))
    result = {k: v for k, v in schema.items() if k not in ("fields", "primaryKey", "foreignKeys")}
    result["fields"] = fields
    names = {f["name"] for f in fields}
    primary = schema.get("primaryKey")
    keys = [primary] if isinstance(primary, str) else list(primary or [])
    if keys and all(k in names for k in keys):
        result["primaryKey"] = primary
    return result


def _default_decisions(
    findings: Sequence[Finding], existing: Sequence[ColumnDecision], policy: Policy
) -> list[ColumnDecision]:
    """Keep earlier decisions for columns still found; fill the rest from the policy.

    ``policy`` holds the organization's own rules; the scan's proposals come after them and
    the portal's built-in defaults last.
    """
    columns = {f.column for f in findings}
    kept = [d for d in existing if d.column in columns]
    decided = {d.column for d in kept}
    proposed, _undecided = decide(
        [f for f in findings if f.column not in decided], policy, defaults=DEFAULT_POLICY
    )
    kept.extend(replace(decision, decided_by=BY_POLICY) for decision in proposed)
    return kept


def _organization_of(session: Session, version: ResourceVersion) -> str:
    resource = session.get(Resource, version.resource_id)
    assert resource is not None
    dataset = session.get(Dataset, resource.dataset_id)
    assert dataset is not None
    return dataset.organization_id


def _fail(version: ResourceVersion, code: str, params: dict[str, Any]) -> None:
    version.status = VersionStatus.FAILED.value
    version.error_code, version.error_params = code, params
    version.processing_attempts = 0


def _plain(params: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v if isinstance(v, int | float | bool) else str(v) for k, v in params.items()}
