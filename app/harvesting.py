"""Compose the harvester from the portal's services (a companion of ``app/services.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from datasets.editing import JOB_PROCESS_VERSION, DatasetEditor
from harvesters import (
    JOB_HARVEST,
    AddressPolicy,
    Harvester,
    HarvestSources,
    HttpLimits,
    Importer,
    InlineQueue,
    RunnerDeps,
    SecretStore,
)
from publishers import utcnow

if TYPE_CHECKING:
    from app.services import Services


def build_harvester(services: Services) -> Harvester:
    """Return the harvester; register its queue job. Imports process files inline."""
    settings = services.settings
    data_dir = settings.data_dir.resolve()
    # The harvest job already runs in the background: it processes each file itself so
    # that it can submit and approve in the same run.
    inline = InlineQueue({JOB_PROCESS_VERSION: services.processor.run_job})
    editor = DatasetEditor(services.sessions, services.vault, services.public_store, inline)
    scratch = data_dir / "tmp" / "harvest"
    scratch.mkdir(parents=True, exist_ok=True)
    deps = RunnerDeps(
        sessions=services.sessions,
        accounts=services.accounts,
        importer=Importer(services.sessions, editor, services.workflow, utcnow),
        hash_key=services.keys.hash_key,
        scratch=scratch,
        clock=utcnow,
    )
    sources = HarvestSources(
        services.sessions,
        services.accounts,
        SecretStore(data_dir / "secrets", services.keys.encryption_key),
    )
    harvester = Harvester(
        services.sessions,
        sources,
        deps,
        AddressPolicy.from_setting(settings.harvest_allowed_hosts),
        HttpLimits(max_bytes=settings.max_upload_bytes),
        queue=services.queue,
    )
    services.queue.register(JOB_HARVEST, harvester.run_job)
    return harvester


def schedule_harvests(services: Services) -> None:
    """Register the periodic task that queues due harvest sources every minute."""
    from huey import crontab

    harvester = services.harvester
    if harvester is None:
        return

    @services.queue.huey.periodic_task(crontab(minute="*"), name="opendata.harvest_due")
    def harvest_due() -> None:
        harvester.run_due()


DEMO_SOURCE = "du-lieu-mo-tphcm"


def register_demo_source(services: Services) -> None:
    """Register the demo catalog's harvest source definition (idempotent; never run here).

    It points at the portal's own ``/data.json`` as an example of a DCAT-US source; running
    it needs ``OPENDATA_HARVEST_ALLOWED_HOSTS`` to allow the portal's own (loopback) address.
    """
    harvester = services.harvester
    if harvester is None or harvester.sources.find(DEMO_SOURCE) is not None:
        return
    harvester.sources.register(
        DEMO_SOURCE,
        "datajson",
        f"{services.settings.site_url.rstrip('/')}/data.json",
        "cuc-thong-ke",
        {"approval_extra": "accessLevel=public", "require_review": True},
        "manual",
    )
