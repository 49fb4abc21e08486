"""How the demo loads one dataset: create, upload, decide, submit, approve (`opendata demo`)."""

from __future__ import annotations

import random
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from app.services import Services
from datasets.metadata_input import DatasetMetadata
from datasets.queries import find_dataset
from datasets.resource_edit import ResourceInput
from datasets.uploads import receive
from datasets.vocab import DEFAULT_LICENSE_ID
from publishers import Actor

SEED = 20261121
DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 -- the README states the demo accounts


@dataclass(frozen=True)
class DemoDataset:
    """One dataset of the demo catalog."""

    org: str
    meta: DatasetMetadata
    files: tuple[tuple[str, Callable[[random.Random], bytes]], ...]
    publish: bool = True
    decisions: tuple[dict[str, str], ...] = field(default_factory=tuple)
    # The agency projection's decisions (issue 18), set by the steward after the public ones.
    agency_decisions: tuple[dict[str, str], ...] = field(default_factory=tuple)


def demo_meta(
    title: str,
    title_en: str,
    desc: str,
    desc_en: str,
    tags: tuple[str, ...],
    themes: tuple[str, ...],
    frequency: str = "ANNUAL",
) -> DatasetMetadata:
    return DatasetMetadata(
        title_vi=title,
        title_en=title_en,
        description_vi=desc,
        description_en=desc_en,
        tags=tags,
        themes=themes,
        license_id=DEFAULT_LICENSE_ID,
        frequency=frequency,
        spatial="Thành phố Hồ Chí Minh",
        temporal_start=date(2023, 1, 1),
        temporal_end=date(2025, 12, 31),
    )


def load_dataset(
    svc: Services,
    item: DemoDataset,
    publisher: Actor,
    steward: Actor,
    rng: random.Random,
    echo: Callable[[str], None],
) -> int:
    data = [(filename, make(rng)) for filename, make in item.files]  # keep the seed's order
    with svc.sessions() as session:
        from datasets.text import vn_slug

        if find_dataset(session, vn_slug(item.meta.title_vi)) is not None:
            return 0
    org = svc.accounts.get_organization(item.org)
    dataset = svc.editor.create(publisher, org.id, item.meta)
    with tempfile.TemporaryDirectory() as tmp:
        for filename, content in data:
            path = Path(tmp) / filename
            path.write_bytes(content)
            with path.open("rb") as stream:
                staged = receive(
                    stream,
                    filename,
                    svc.settings.data_dir / "staging",
                    svc.settings.max_upload_bytes,
                )
            version = svc.editor.add_upload(
                publisher, dataset.name, staged, ResourceInput(name=filename)
            )
            if item.decisions:
                svc.editor.set_decisions(
                    steward, dataset.name, version.resource_id, list(item.decisions)
                )
            if item.agency_decisions:
                svc.editor.set_agency_decisions(
                    steward, dataset.name, version.resource_id, list(item.agency_decisions)
                )
    svc.workflow.submit(publisher, dataset.name, stage=not item.publish)
    if item.publish:
        svc.workflow.approve(steward, dataset.name)
    echo(f"  {dataset.name}: {'published' if item.publish else 'submitted for review'}")
    return 1
