"""What a harvest job runs with: the source it runs for, the portal's parts, a progress callback."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from datasets.table_analysis import PreparedAnalyses
from harvesters.batch_import import BatchImporter
from harvesters.config import SourceConfig
from harvesters.importer import Importer
from publishers import Accounts, Actor

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class SourceContext:
    """The registered source a job runs for (ids, not ORM rows)."""

    source_id: str
    name: str
    type: str
    organization_id: str
    config: SourceConfig
    publisher: Actor
    steward: Actor


@dataclass(frozen=True)
class RunnerDeps:
    """What the runner needs from the portal, injected by the composition root."""

    sessions: sessionmaker[Session]
    accounts: Accounts
    importer: Importer
    hash_key: bytes
    scratch: Path
    clock: Callable[[], datetime]
    sleep: Callable[[float], None] = time.sleep
    attempts: int = 3
    backoff: float = 0.5  # seconds before the first retry; doubled each time
    # Analyses of stripped tables made ahead for processing (None: processing makes them).
    analyses: PreparedAnalyses | None = None
    # Worker processes that strip and analyse fetched records while the job imports
    # others; used when at least ``pool_min`` datasets are to be fetched (0: inline).
    workers: int = field(default_factory=lambda: default_workers())
    pool_min: int = 40
    # Imports many records per transaction (None: one at a time, through ``importer``),
    # up to ``batch_size`` at once (``harvesters.batching``).
    batches: BatchImporter | None = None
    batch_size: int = 100


def default_workers() -> int:
    """One worker process beside the job's thread on a multi-core machine (two from 4 cores).

    The job's own thread (database writes, one at a time) stays the bottleneck: more
    workers than that only cost memory.
    """
    cores = os.cpu_count() or 1
    return 0 if cores < 2 else 1 if cores < 4 else 2
