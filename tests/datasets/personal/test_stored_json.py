"""Findings and decisions are stored as JSON and read back typed: nothing is lost."""

import json

import pytest

from datasets.personal import BY_POLICY, Action, ColumnDecision, Finding, PersonalDataKind


def _through_json(data):
    return json.loads(json.dumps(data))


def test_finding_round_trips_through_stored_json():
    finding = Finding("so_dien_thoai", "phone", 0.75, 0.9, False, proposal="keep")
    stored = _through_json(finding.to_json())
    assert stored == {
        "column": "so_dien_thoai",
        "kind": "phone",
        "share": 0.75,
        "confidence": 0.9,
        "sensitive": False,
        "proposal": "keep",
    }
    assert Finding.from_json(stored) == finding


def test_finding_of_an_enum_kind_is_stored_as_its_name():
    finding = Finding("ton_giao", PersonalDataKind.RELIGION, 1.0, 1.0, True)
    stored = _through_json(finding.to_json())
    assert stored["kind"] == "religion" and stored["sensitive"] is True
    assert Finding.from_json(stored) == finding


def test_decision_round_trips_through_stored_json():
    decision = ColumnDecision("cccd", "citizen_id", Action.KEEP, "public register", "user-1")
    stored = _through_json(decision.to_json())
    assert stored == {
        "column": "cccd",
        "kind": "citizen_id",
        "action": "keep",
        "justification": "public register",
        "decided_by": "user-1",
    }
    back = ColumnDecision.from_json(stored)
    assert back == decision and back.action is Action.KEEP and not back.by_policy


def test_decision_proposed_by_the_policy_says_so():
    decision = ColumnDecision("sdt", "phone", Action.MASK, decided_by=BY_POLICY)
    back = ColumnDecision.from_json(_through_json(decision.to_json()))
    assert back == decision and back.by_policy


def test_stored_decision_with_an_unknown_action_is_refused():
    with pytest.raises(ValueError, match="shred"):
        ColumnDecision.from_json({"column": "c", "kind": "phone", "action": "shred"})
