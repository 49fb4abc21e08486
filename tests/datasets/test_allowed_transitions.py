"""What the lifecycle allows on a dataset now, as the manage page asks it (SPEC §3)."""

from __future__ import annotations

import pytest

from datasets.errors import TransitionNotAllowed
from datasets.lifecycle import Transition, allowed_transitions
from datasets.metadata_input import DatasetMetadata
from datasets.queries import get_dataset
from publishers import Role
from tests.factories import (
    SAMPLE_CSV,
    actor,
    make_dataset,
    make_org,
    make_user,
    publish_sample,
    upload_bytes,
)

T = Transition


def _allowed(services, name: str) -> set[Transition]:
    with services.sessions() as session:
        return set(allowed_transitions(get_dataset(session, name)))


def _edit(services, who, name: str, title: str) -> None:
    services.editor.update_metadata(
        who, name, DatasetMetadata(title_vi=title), expected_version=None
    )


def test_allowed_transitions_follow_a_first_publication(services) -> None:
    org = make_org(services)
    publisher = actor(services, make_user(services, org, Role.PUBLISHER))
    steward = actor(services, make_user(services, org, Role.STEWARD))
    dataset = make_dataset(services, publisher, org, title="Trạm xe buýt")
    assert _allowed(services, dataset.name) == {T.SUBMIT, T.EDIT, T.DELETE}
    upload_bytes(services, publisher, dataset.name, SAMPLE_CSV)
    services.workflow.submit(publisher, dataset.name)
    assert _allowed(services, dataset.name) == {T.APPROVE, T.REJECT}
    services.workflow.reject(steward, dataset.name, "Thiếu mô tả")
    assert _allowed(services, dataset.name) == {T.SUBMIT, T.EDIT}
    _edit(services, publisher, dataset.name, "Trạm xe buýt 2026")
    assert _allowed(services, dataset.name) == {T.SUBMIT, T.EDIT, T.DELETE}
    services.workflow.submit(publisher, dataset.name)
    services.workflow.approve(steward, dataset.name)
    assert _allowed(services, dataset.name) == {T.WITHDRAW, T.EDIT}


def test_allowed_transitions_of_a_pending_revision_and_a_withdrawal(services) -> None:
    dataset, _rid, publisher, steward = publish_sample(services)
    _edit(services, publisher, dataset.name, "Bãi đỗ xe công cộng")
    assert _allowed(services, dataset.name) == {T.WITHDRAW, T.EDIT, T.SUBMIT}
    services.workflow.submit(publisher, dataset.name)
    assert _allowed(services, dataset.name) == {T.WITHDRAW, T.APPROVE, T.REJECT}
    services.workflow.reject(steward, dataset.name, "Sai tên")
    assert _allowed(services, dataset.name) == {T.WITHDRAW, T.EDIT, T.SUBMIT}
    services.workflow.withdraw(steward, dataset.name, "Dữ liệu sai")
    assert _allowed(services, dataset.name) == {T.SUBMIT, T.EDIT}


def test_approve_and_reject_refuse_what_the_table_refuses(services) -> None:
    dataset, _rid, _publisher, steward = publish_sample(services)
    assert T.APPROVE not in _allowed(services, dataset.name)
    with pytest.raises(TransitionNotAllowed):
        services.workflow.approve(steward, dataset.name)
    with pytest.raises(TransitionNotAllowed):
        services.workflow.reject(steward, dataset.name, "Không có gì để từ chối")
