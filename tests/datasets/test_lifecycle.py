"""The lifecycle of SPEC §3 on a real database: transitions, permissions, activity."""

from __future__ import annotations

import pytest

from datasets.errors import StaleVersion, SubmissionBlocked, TransitionNotAllowed
from datasets.lifecycle import DATASET_TRANSITIONS, Transition, next_state
from datasets.metadata_input import DatasetMetadata
from datasets.model import DatasetState
from publishers import InvalidInput, NotFound, PermissionDenied, Role
from tests.factories import (
    SAMPLE_CSV,
    actor,
    make_dataset,
    make_org,
    make_user,
    publish_sample,
    upload_bytes,
)


def test_transition_table_matches_the_spec() -> None:
    assert next_state(DatasetState.DRAFT, Transition.SUBMIT) is DatasetState.SUBMITTED
    assert next_state(DatasetState.SUBMITTED, Transition.REJECT) is DatasetState.REJECTED
    assert next_state(DatasetState.WITHDRAWN, Transition.SUBMIT) is DatasetState.SUBMITTED
    with pytest.raises(TransitionNotAllowed):
        next_state(DatasetState.DRAFT, Transition.APPROVE)
    with pytest.raises(TransitionNotAllowed):
        next_state(DatasetState.PUBLISHED, Transition.DELETE)
    assert (DatasetState.PUBLISHED, Transition.SUBMIT) not in DATASET_TRANSITIONS


def test_full_lifecycle_with_activity(services) -> None:
    org = make_org(services)
    publisher = actor(services, make_user(services, org, Role.PUBLISHER))
    steward = actor(services, make_user(services, org, Role.STEWARD))
    dataset = make_dataset(services, publisher, org, title="Chất lượng nước sông Sài Gòn")
    assert dataset.name == "chat-luong-nuoc-song-sai-gon"
    with pytest.raises(SubmissionBlocked) as blocked:
        services.workflow.submit(publisher, dataset.name)
    assert blocked.value.reasons == [{"code": "no_resources"}]
    upload_bytes(services, publisher, dataset.name, SAMPLE_CSV)
    services.workflow.submit(publisher, dataset.name)
    with pytest.raises(InvalidInput):
        services.workflow.reject(steward, dataset.name, "  ")
    services.workflow.reject(steward, dataset.name, "Thiếu mô tả tiếng Anh")
    services.editor.update_metadata(
        publisher,
        dataset.name,
        DatasetMetadata(title_vi="Chất lượng nước sông Sài Gòn", title_en="Saigon river water"),
        expected_version=None,
    )
    services.workflow.submit(publisher, dataset.name)
    services.workflow.approve(steward, dataset.name, "OK")
    view = services.catalog.get(dataset.name)
    assert view is not None and view.title_en == "Saigon river water"
    actions = [a.action for a in reversed(services.workflow.activity(dataset.id))]
    assert actions == ["create", "upload", "submit", "reject", "edit", "submit", "approve"]
    reject = next(a for a in services.workflow.activity(dataset.id) if a.action == "reject")
    assert reject.comment == "Thiếu mô tả tiếng Anh" and reject.actor_id == steward.user_id
    assert (reject.from_state, reject.to_state) == ("submitted", "rejected")


def test_publisher_cannot_approve_and_outsiders_cannot_edit(services) -> None:
    dataset, _rid, publisher, _steward = publish_sample(services)
    other_org = make_org(services)
    outsider = actor(services, make_user(services, other_org, Role.STEWARD))
    with pytest.raises(PermissionDenied):
        services.editor.update_metadata(
            outsider, dataset.name, DatasetMetadata(title_vi="X"), expected_version=None
        )
    with pytest.raises(PermissionDenied):
        services.workflow.withdraw(outsider, dataset.name, "no")
    with pytest.raises(PermissionDenied):
        services.workflow.withdraw(publisher, dataset.name, "no")


def test_steward_cannot_approve_own_submission_unless_only_steward(services) -> None:
    org = make_org(services)
    steward = actor(services, make_user(services, org, Role.STEWARD))
    dataset = make_dataset(services, steward, org)
    upload_bytes(services, steward, dataset.name, SAMPLE_CSV)
    services.workflow.submit(steward, dataset.name)
    second = actor(services, make_user(services, org, Role.STEWARD))
    with pytest.raises(PermissionDenied):
        services.workflow.approve(steward, dataset.name)
    services.workflow.approve(second, dataset.name)
    # The only steward of an organization may approve their own submission.
    solo_org = make_org(services)
    solo = actor(services, make_user(services, solo_org, Role.STEWARD))
    own = make_dataset(services, solo, solo_org)
    upload_bytes(services, solo, own.name, SAMPLE_CSV)
    services.workflow.submit(solo, own.name)
    assert services.workflow.approve(solo, own.name).state == "published"


def test_pending_revision_keeps_the_live_version_public(services) -> None:
    dataset, _rid, publisher, steward = publish_sample(services, title="Bãi đỗ xe")
    services.editor.update_metadata(
        publisher,
        dataset.name,
        DatasetMetadata(title_vi="Bãi đỗ xe công cộng"),
        expected_version=None,
    )
    assert services.catalog.get(dataset.name).title == "Bãi đỗ xe"
    services.workflow.submit(publisher, dataset.name)
    services.workflow.reject(steward, dataset.name, "Sai tên")
    assert services.catalog.get(dataset.name).title == "Bãi đỗ xe"
    services.workflow.submit(publisher, dataset.name)
    services.workflow.approve(steward, dataset.name)
    assert services.catalog.get(dataset.name).title == "Bãi đỗ xe công cộng"


def test_withdraw_hides_and_republish_goes_through_review(services) -> None:
    dataset, _rid, publisher, steward = publish_sample(services)
    with pytest.raises(InvalidInput):
        services.workflow.withdraw(steward, dataset.name, "")
    services.workflow.withdraw(steward, dataset.name, "Dữ liệu sai")
    assert services.catalog.get(dataset.name) is None
    services.workflow.submit(publisher, dataset.name)
    assert services.catalog.get(dataset.name) is None
    services.workflow.approve(steward, dataset.name)
    assert services.catalog.get(dataset.name) is not None


def test_stale_edit_is_refused(services) -> None:
    org = make_org(services)
    publisher = actor(services, make_user(services, org, Role.PUBLISHER))
    dataset = make_dataset(services, publisher, org)
    read_version = dataset.lock_version
    services.editor.update_metadata(
        publisher, dataset.name, DatasetMetadata(title_vi="A"), expected_version=read_version
    )
    with pytest.raises(StaleVersion):
        services.editor.update_metadata(
            publisher, dataset.name, DatasetMetadata(title_vi="B"), expected_version=read_version
        )


def test_only_never_published_drafts_can_be_deleted(services) -> None:
    org = make_org(services)
    publisher = actor(services, make_user(services, org, Role.PUBLISHER))
    draft = make_dataset(services, publisher, org)
    services.workflow.delete_draft(publisher, draft.name)
    with pytest.raises(NotFound):
        services.workflow.delete_draft(publisher, draft.name)
    published, *_ = publish_sample(services)
    with pytest.raises((TransitionNotAllowed, PermissionDenied)):
        services.workflow.delete_draft(publisher, published.name)


def test_html_in_metadata_is_kept_as_text_and_names_are_ascii(services) -> None:
    org = make_org(services)
    publisher = actor(services, make_user(services, org, Role.PUBLISHER))
    dataset = make_dataset(services, publisher, org, title="<script>alert(1)</script> Đường")
    assert dataset.name == "script-alert-1-script-duong"
