"""Adding resources to a dataset's working revision (uploads, links) and removing them.

Each function works inside the caller's transaction; ``DatasetEditor`` opens it, stores
an upload's original in the vault first, and queues the processing job afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from datasets.model import (
    Dataset,
    Resource,
    ResourceVersion,
    Revision,
    RevisionResource,
    VersionStatus,
)
from datasets.personal import ColumnDecision
from datasets.queries import get_dataset
from datasets.revisions import find_entry, record_activity, working_revision
from datasets.uploads import StagedUpload, StoredUpload, safe_filename
from publishers import Actor, InvalidInput, NotFound

JOB_PROCESS_VERSION = "process_version"


@dataclass(frozen=True)
class ResourceInput:
    """A resource's name and description as entered."""

    name: str = ""
    description: str = ""


def add_upload_version(
    session: Session,
    actor: Actor,
    name: str,
    upload: StagedUpload | StoredUpload,
    original_key: str,
    info: ResourceInput,
    *,
    resource_id: str | None,
    expected_version: int | None,
    decisions: Sequence[ColumnDecision],
    clock: Callable[[], datetime],
) -> ResourceVersion:
    """Add a version (still to process) for an upload whose original is in the vault."""
    dataset = get_dataset(session, name, for_update=True)
    return add_upload_version_to(
        session,
        actor,
        dataset,
        upload,
        original_key,
        info,
        resource_id=resource_id,
        expected_version=expected_version,
        decisions=decisions,
        clock=clock,
    )


def add_upload_version_to(
    session: Session,
    actor: Actor,
    dataset: Dataset,
    upload: StagedUpload | StoredUpload,
    original_key: str,
    info: ResourceInput,
    *,
    resource_id: str | None,
    decisions: Sequence[ColumnDecision],
    clock: Callable[[], datetime],
    expected_version: int | None = None,
) -> ResourceVersion:
    """``add_upload_version`` on a dataset already loaded in ``session`` (a harvest batch)."""
    revision = working_revision(session, actor, dataset, expected_version, clock)
    assert actor.user_id is not None
    version = ResourceVersion(
        name=(info.name.strip() or upload.filename)[:300],
        description=info.description.strip(),
        status=VersionStatus.PROCESSING.value,
        original_filename=upload.filename,
        original_key=original_key,
        original_sha256=upload.sha256,
        original_size=upload.size,
        filename=safe_filename(upload.filename),
        created_by=actor.user_id,
        created=clock(),
    )
    if decisions:
        version.decisions = [d.to_json() for d in decisions]
    _attach(session, dataset, revision, version, resource_id, clock)
    record_activity(
        session,
        dataset,
        actor.user_id,
        "upload",
        now=clock(),
        details={"resource_id": version.resource_id, "size": upload.size},
    )
    return version


def check_link_url(url: str) -> None:
    """Raise ``InvalidInput`` unless ``url`` is an http or https address of a sane length."""
    if not url.lower().startswith(("http://", "https://")) or len(url) > 2000:
        raise InvalidInput("bad url", {"url": ["invalid_url"]})


def add_link_version(
    session: Session,
    actor: Actor,
    name: str,
    url: str,
    info: ResourceInput,
    *,
    fmt: str,
    clock: Callable[[], datetime],
) -> ResourceVersion:
    """Add a new resource whose version links to ``url`` (checked by ``check_link_url``)."""
    dataset = get_dataset(session, name, for_update=True)
    revision = working_revision(session, actor, dataset, None, clock)
    assert actor.user_id is not None
    version = ResourceVersion(
        name=(info.name.strip() or url.rsplit("/", 1)[-1] or "link")[:300],
        description=info.description.strip(),
        url=url,
        status=VersionStatus.READY.value,
        format=fmt.strip().upper()[:20],
        created_by=actor.user_id,
        created=clock(),
    )
    _attach(session, dataset, revision, version, None, clock)
    record_activity(
        session,
        dataset,
        actor.user_id,
        "link",
        now=clock(),
        details={"resource_id": version.resource_id},
    )
    return version


def remove_resource(
    session: Session, actor: Actor, name: str, resource_id: str, clock: Callable[[], datetime]
) -> None:
    """Remove a resource from the working revision (older revisions keep it)."""
    dataset = get_dataset(session, name, for_update=True)
    revision = working_revision(session, actor, dataset, None, clock)
    entry = find_entry(revision, resource_id)
    if entry is None:
        raise NotFound("resource not found")
    revision.entries.remove(entry)
    record_activity(
        session,
        dataset,
        actor.user_id,
        "remove_resource",
        now=clock(),
        details={"resource_id": resource_id},
    )


def _attach(
    session: Session,
    dataset: Dataset,
    revision: Revision,
    version: ResourceVersion,
    resource_id: str | None,
    clock: Callable[[], datetime],
) -> None:
    """Put ``version`` in the revision: as a new resource, or as ``resource_id``'s new version."""
    if resource_id is None:
        resource = Resource(dataset_id=dataset.id, created=clock())
        session.add(resource)
        session.flush()
        version.resource_id = resource.id
        session.add(version)
        session.flush()
        revision.entries.append(
            RevisionResource(
                resource_id=resource.id, version_id=version.id, position=len(revision.entries)
            )
        )
        return
    entry = find_entry(revision, resource_id)
    if entry is None:
        raise NotFound("resource not found")
    version.resource_id = resource_id
    session.add(version)
    session.flush()
    entry.version = version  # the relationship too: a loaded entry would keep the old one
