"""Concurrent lifecycle actions: exactly one transition wins, the others are conflicts.

Two approvals and a rejection of the same submission are sent at the same instant from
real threads, each with its own database session (SQLite file or PostgreSQL). Before the
compare-and-set on the dataset row, all three committed in most runs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial

import pytest

from datasets.errors import TransitionNotAllowed
from datasets.metadata_input import DatasetMetadata
from publishers import Role
from tests.factories import SAMPLE_CSV, actor, make_dataset, make_org, make_user, upload_bytes

ROUNDS = 6
DECISIONS = {"approve", "reject"}


def _race(calls: list[Callable[[], object]]) -> list[object]:
    """Run ``calls`` at once (released by one barrier); return each result or exception."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = calls[i]()
        except Exception as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a transition hung"
    return results


@pytest.mark.parametrize("republish", [False, True], ids=["first", "revision"])
def test_two_approvals_and_a_rejection_at_once_one_wins(services, republish: bool) -> None:
    org = make_org(services)
    publisher = actor(services, make_user(services, org, Role.PUBLISHER))
    stewards = [actor(services, make_user(services, org, Role.STEWARD)) for _ in range(3)]
    workflow = services.workflow
    for _ in range(ROUNDS):
        dataset = make_dataset(services, publisher, org)
        upload_bytes(services, publisher, dataset.name, SAMPLE_CSV)
        workflow.submit(publisher, dataset.name)
        if republish:  # a pending revision of a published dataset
            workflow.approve(stewards[0], dataset.name)
            services.editor.update_metadata(
                publisher, dataset.name, DatasetMetadata(title_vi="Tên mới"), expected_version=None
            )
            workflow.submit(publisher, dataset.name)
        results = _race(
            [
                partial(workflow.approve, stewards[0], dataset.name, "ok"),
                partial(workflow.approve, stewards[1], dataset.name, "ok"),
                partial(workflow.reject, stewards[2], dataset.name, "không đạt"),
            ]
        )
        wins = [r for r in results if not isinstance(r, Exception)]
        losses = [r for r in results if isinstance(r, Exception)]
        assert len(wins) == 1, results
        assert all(isinstance(e, TransitionNotAllowed) for e in losses), losses
        decided = [a.action for a in workflow.activity(dataset.id) if a.action in DECISIONS]
        assert len(decided) == (2 if republish else 1), decided
