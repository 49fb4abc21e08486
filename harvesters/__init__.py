"""Harvest sources, jobs and reports: CKAN, DCAT, data.json, file/URL and SQL harvesters."""

from harvesters.base import (
    SOURCE_TYPES,
    ApprovalFacts,
    HarvestSource,
    RemoteRecord,
    RemoteRef,
    RemoteResource,
)
from harvesters.batch_import import BatchImporter
from harvesters.ckan import CkanSource
from harvesters.config import SourceConfig, parse_config
from harvesters.datajson import DataJsonSource
from harvesters.dcat import DcatSource
from harvesters.errors import (
    AddressRefused,
    BadResponse,
    HarvestError,
    RedirectRefused,
    ResponseTooLarge,
    SourceUnavailable,
)
from harvesters.files import FileSource
from harvesters.http import AddressPolicy, HarvestSession, HttpLimits, open_session
from harvesters.importer import Importer
from harvesters.jobs import JOB_HARVEST, Harvester, InlineQueue, JobInfo
from harvesters.model import HarvestJob, HarvestObject, HarvestSourceRow, JobStatus
from harvesters.report import HarvestReport, ItemReport, Outcome
from harvesters.run_context import RunnerDeps, SourceContext
from harvesters.runner import is_approved, run_harvest
from harvesters.sanitize import is_functional_address, strip, strip_metadata
from harvesters.schedule import is_due, validate_schedule
from harvesters.sources import HarvestSources, SecretStore, SourceInfo
from harvesters.sql import SqlBoundaries, SqlSource

__all__ = [
    "JOB_HARVEST",
    "SOURCE_TYPES",
    "AddressPolicy",
    "AddressRefused",
    "ApprovalFacts",
    "BadResponse",
    "BatchImporter",
    "CkanSource",
    "DataJsonSource",
    "DcatSource",
    "FileSource",
    "HarvestError",
    "HarvestJob",
    "HarvestObject",
    "HarvestReport",
    "HarvestSession",
    "HarvestSource",
    "HarvestSourceRow",
    "HarvestSources",
    "Harvester",
    "HttpLimits",
    "Importer",
    "InlineQueue",
    "ItemReport",
    "JobInfo",
    "JobStatus",
    "Outcome",
    "RedirectRefused",
    "RemoteRecord",
    "RemoteRef",
    "RemoteResource",
    "ResponseTooLarge",
    "RunnerDeps",
    "SecretStore",
    "SourceConfig",
    "SourceContext",
    "SourceInfo",
    "SourceUnavailable",
    "SqlBoundaries",
    "SqlSource",
    "is_approved",
    "is_due",
    "is_functional_address",
    "open_session",
    "parse_config",
    "run_harvest",
    "strip",
    "strip_metadata",
    "validate_schedule",
]
