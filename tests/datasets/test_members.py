"""The members' view of a dataset (``datasets.members``): who may load it, which revision."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import pytest

from datasets.lifecycle import Transition
from datasets.members import MemberDataset, member_dataset, member_resource
from datasets.metadata_input import DatasetMetadata
from datasets.resource_edit import ResourceInput
from datasets.uploads import receive
from publishers import ANONYMOUS, Actor, NotFound, Role
from tests.factories import (
    SAMPLE_CSV,
    actor,
    make_dataset,
    make_org,
    make_user,
    publish_sample,
    upload_bytes,
)


def _view(services, who: Actor, name: str) -> MemberDataset:
    with services.sessions() as session:
        return member_dataset(session, who, name)


def test_outsiders_are_refused_as_if_the_dataset_did_not_exist(services) -> None:
    org = make_org(services)
    publisher = actor(services, make_user(services, org, Role.PUBLISHER))
    draft = make_dataset(services, publisher, org, title="Nháp nội bộ")
    elsewhere = actor(services, make_user(services, make_org(services), Role.PUBLISHER))
    published, rid, *_ = publish_sample(services)
    with pytest.raises(NotFound) as missing:
        _view(services, publisher, "khong-co-bo-nay")
    for outsider in (ANONYMOUS, elsewhere):
        for name in (draft.name, published.name):
            with pytest.raises(NotFound) as refused:
                _view(services, outsider, name)
            assert refused.value.message == missing.value.message  # nothing tells them apart
        with pytest.raises(NotFound), services.sessions() as session:
            member_resource(session, outsider, published.name, rid)


def test_members_and_sysadmins_see_the_draft(services) -> None:
    org = make_org(services)
    publisher = actor(services, make_user(services, org, Role.PUBLISHER))
    steward = actor(services, make_user(services, org, Role.STEWARD))
    admin = actor(services, make_user(services, sysadmin=True))
    draft = make_dataset(services, publisher, org, title="Nháp nội bộ", tags=("nháp",))
    rid = upload_bytes(services, publisher, draft.name, SAMPLE_CSV, name="Trạm")
    for who in (publisher, steward, admin):
        view = _view(services, who, draft.name)
        assert (view.name, view.title, view.tags) == (draft.name, "Nháp nội bộ", ("nháp",))
        assert (view.state, view.revision_status, view.has_pending_revision) == (
            "draft",
            "draft",
            False,
        )
        assert view.organization.id == org.id and view.organization_id == org.id
        assert [r.resource_id for r in view.resources] == [rid]
        assert view.resources[0].is_public is False  # nothing is public yet
        assert view.created.tzinfo is not None and view.resources[0].created.tzinfo is not None
    assert _view(services, steward, draft.id).id == draft.id  # by id as well as by name


def test_the_working_revision_is_picked_over_the_live_one(services) -> None:
    dataset, _rid, publisher, steward = publish_sample(services, title="Trạm xe buýt")
    live = _view(services, steward, dataset.name)
    assert (live.title, live.revision_status, live.has_pending_revision) == (
        "Trạm xe buýt",
        "approved",
        False,
    )
    assert live.resources[0].is_public and live.resources[0].public_sha256
    services.editor.update_metadata(
        publisher,
        dataset.name,
        DatasetMetadata(title_vi="Trạm xe buýt (cập nhật)"),
        expected_version=None,
    )
    pending = _view(services, steward, dataset.name)
    assert (pending.title, pending.state, pending.revision_status) == (
        "Trạm xe buýt (cập nhật)",
        "published",
        "draft",
    )
    assert pending.has_pending_revision and pending.revision_id != live.revision_id
    assert services.catalog.get(dataset.name).title == "Trạm xe buýt"  # the public keeps it
    # The untouched resource is still the very version the public downloads.
    assert pending.resources[0].is_public


def test_a_replaced_file_is_not_public_even_with_identical_content(services) -> None:
    dataset, rid, publisher, steward = publish_sample(services)
    live_version = _view(services, steward, dataset.name).resource(rid).id
    staged = receive(
        io.BytesIO(SAMPLE_CSV),
        "data.csv",
        Path(services.settings.data_dir) / "staging",
        services.settings.max_upload_bytes,
    )
    services.editor.add_upload(publisher, dataset.name, staged, ResourceInput(), resource_id=rid)
    with services.sessions() as session:
        view, replaced = member_resource(session, steward, dataset.name, rid)
    public = services.catalog.get(dataset.name).resources[0]
    assert replaced.public_sha256 == public.sha256  # same bytes...
    assert replaced.id != live_version  # ...in a new version, waiting for review
    assert replaced.is_public is False and view.has_pending_revision


def test_a_resource_is_found_in_the_revision_members_work_on(services) -> None:
    dataset, rid, publisher, _steward = publish_sample(services)
    with services.sessions() as session:
        view, resource = member_resource(session, publisher, dataset.name, rid)
        with pytest.raises(NotFound):
            member_resource(session, publisher, dataset.name, "no-such-resource")
    assert resource is view.resource(rid)
    assert (resource.resource_id, resource.status, resource.is_tabular) == (rid, "ready", True)
    assert resource.row_count == 4 and resource.validation and resource.validation["valid"]
    assert resource.original_key and resource.table_schema
    with pytest.raises(dataclasses.FrozenInstanceError):
        # The assignment the test proves impossible: mypy refuses it too, which is the point.
        resource.status = "failed"  # type: ignore[misc]


def test_the_view_carries_the_transitions_the_lifecycle_allows(services) -> None:
    org = make_org(services)
    publisher = actor(services, make_user(services, org, Role.PUBLISHER))
    draft = make_dataset(services, publisher, org, title="Nháp")
    assert _view(services, publisher, draft.name).transitions == {
        Transition.EDIT,
        Transition.SUBMIT,
        Transition.DELETE,
    }
    dataset, _rid, publisher, steward = publish_sample(services)
    live = _view(services, steward, dataset.name).transitions
    assert Transition.EDIT in live and Transition.WITHDRAW in live
    assert Transition.SUBMIT not in live and Transition.DELETE not in live
    services.editor.update_metadata(
        publisher, dataset.name, DatasetMetadata(title_vi="Mới"), expected_version=None
    )
    pending = _view(services, steward, dataset.name).transitions
    assert Transition.SUBMIT in pending and Transition.DELETE not in pending
