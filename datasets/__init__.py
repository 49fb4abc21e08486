"""Dataset domain: models, lifecycle, uploads, storage, validation, datastore, personal data.

The face of the package: the services the composition root wires (editor, workflow,
processor, public catalog, personal-data leak reports, queue, vault), the rows and views other
packages read, the vocabularies, and the errors they catch. The subpackages keep faces of
their own: ``datasets.validation``, ``datasets.ingest``, ``datasets.personal``,
``datasets.datastore``, ``datasets.storage`` and ``datasets.places`` (administrative units,
whose ``Unit`` is imported from there). Modules not re-exported here are details of
the package (or of one caller) and are imported from where they live; so is the ORM model
(``datasets.model``), which only the modules that query the database import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from datasets.lazy_face import lazy_attribute

if TYPE_CHECKING:
    from datasets.editing import DatasetEditor
    from datasets.errors import (
        StaleVersion,
        StorageFull,
        SubmissionBlocked,
        TransitionNotAllowed,
        UploadTooLarge,
        is_disk_full,
    )
    from datasets.ingest import IngestError
    from datasets.leak_reports import Reports, ReportStatus, TooManyReports
    from datasets.members import (
        MemberDataset,
        MemberResource,
        member_dataset,
        member_resource,
        processing_version,
    )
    from datasets.metadata_input import CKAN_EXTRA_FIELDS, METADATA_FIELDS, DatasetMetadata
    from datasets.notifications import Notifier
    from datasets.places import PlaceCatalogue, PlaceMatch, place_catalogue
    from datasets.processing import Processor
    from datasets.progress import ProgressBoard
    from datasets.public import (
        PublicCatalog,
        PublicDataset,
        PublicOrganization,
        PublicResource,
        PublicTheme,
    )
    from datasets.queries import find_dataset, get_dataset
    from datasets.queue import HueyQueue, TaskQueue, open_huey
    from datasets.resource_edit import JOB_PROCESS_VERSION, ResourceInput
    from datasets.uploads import StagedUpload, StoredUpload, receive, receive_encrypted
    from datasets.usage import Metric, Subject, UsageRecorder
    from datasets.validation import ValidationReport, validate_table
    from datasets.vault import Vault
    from datasets.vocab import (
        CKAN_LICENSE_IDS,
        DEFAULT_LICENSE_ID,
        FREQUENCIES,
        LICENSES,
        find_license,
        license_from_ckan,
    )
    from datasets.workflow import JOB_LOAD_DATASTORE, Workflow, submission_problems

# Imported on first use, so that importing one module of the package (``datasets.text``)
# does not import all of them (the ORM, the queue, Frictionless...).
_WHERE = {
    "CKAN_EXTRA_FIELDS": "datasets.metadata_input",
    "DEFAULT_LICENSE_ID": "datasets.vocab",
    "DatasetEditor": "datasets.editing",
    "DatasetMetadata": "datasets.metadata_input",
    "FREQUENCIES": "datasets.vocab",
    "HueyQueue": "datasets.queue",
    "IngestError": "datasets.ingest",
    "JOB_LOAD_DATASTORE": "datasets.workflow",
    "JOB_PROCESS_VERSION": "datasets.resource_edit",
    "LICENSES": "datasets.vocab",
    "CKAN_LICENSE_IDS": "datasets.vocab",
    "license_from_ckan": "datasets.vocab",
    "METADATA_FIELDS": "datasets.metadata_input",
    "MemberDataset": "datasets.members",
    "MemberResource": "datasets.members",
    "Metric": "datasets.usage",
    "Notifier": "datasets.notifications",
    "PlaceCatalogue": "datasets.places",
    "PlaceMatch": "datasets.places",
    "Processor": "datasets.processing",
    "ProgressBoard": "datasets.progress",
    "PublicCatalog": "datasets.public",
    "PublicDataset": "datasets.public",
    "PublicOrganization": "datasets.public",
    "PublicResource": "datasets.public",
    "PublicTheme": "datasets.public",
    "ReportStatus": "datasets.leak_reports",
    "Reports": "datasets.leak_reports",
    "ResourceInput": "datasets.resource_edit",
    "StagedUpload": "datasets.uploads",
    "StoredUpload": "datasets.uploads",
    "StaleVersion": "datasets.errors",
    "StorageFull": "datasets.errors",
    "Subject": "datasets.usage",
    "SubmissionBlocked": "datasets.errors",
    "TaskQueue": "datasets.queue",
    "TooManyReports": "datasets.leak_reports",
    "TransitionNotAllowed": "datasets.errors",
    "UploadTooLarge": "datasets.errors",
    "UsageRecorder": "datasets.usage",
    "ValidationReport": "datasets.validation",
    "Vault": "datasets.vault",
    "Workflow": "datasets.workflow",
    "find_dataset": "datasets.queries",
    "find_license": "datasets.vocab",
    "get_dataset": "datasets.queries",
    "is_disk_full": "datasets.errors",
    "member_dataset": "datasets.members",
    "member_resource": "datasets.members",
    "processing_version": "datasets.members",
    "open_huey": "datasets.queue",
    "place_catalogue": "datasets.places",
    "receive": "datasets.uploads",
    "receive_encrypted": "datasets.uploads",
    "submission_problems": "datasets.workflow",
    "validate_table": "datasets.validation",
}


def __getattr__(name: str) -> Any:
    return lazy_attribute(__name__, _WHERE, name)


__all__ = [
    "CKAN_EXTRA_FIELDS",
    "CKAN_LICENSE_IDS",
    "DEFAULT_LICENSE_ID",
    "FREQUENCIES",
    "JOB_LOAD_DATASTORE",
    "JOB_PROCESS_VERSION",
    "LICENSES",
    "METADATA_FIELDS",
    "DatasetEditor",
    "DatasetMetadata",
    "HueyQueue",
    "IngestError",
    "MemberDataset",
    "MemberResource",
    "Metric",
    "Notifier",
    "PlaceCatalogue",
    "PlaceMatch",
    "Processor",
    "ProgressBoard",
    "PublicCatalog",
    "PublicDataset",
    "PublicOrganization",
    "PublicResource",
    "PublicTheme",
    "ReportStatus",
    "Reports",
    "ResourceInput",
    "StagedUpload",
    "StaleVersion",
    "StorageFull",
    "StoredUpload",
    "Subject",
    "SubmissionBlocked",
    "TaskQueue",
    "TooManyReports",
    "TransitionNotAllowed",
    "UploadTooLarge",
    "UsageRecorder",
    "ValidationReport",
    "Vault",
    "Workflow",
    "find_dataset",
    "find_license",
    "get_dataset",
    "is_disk_full",
    "license_from_ckan",
    "member_dataset",
    "member_resource",
    "open_huey",
    "place_catalogue",
    "processing_version",
    "receive",
    "receive_encrypted",
    "submission_problems",
    "validate_table",
]
