import json

import pytest

from datasets.personal import (
    DEFAULT_POLICY,
    Action,
    ColumnDecision,
    Finding,
    InvalidPolicy,
    PersonalDataKind,
    Policy,
    Rule,
    decide,
    policy_from_config,
    policy_from_dict,
    policy_to_dict,
)


def finding(column, kind):
    return Finding(column, kind, 1.0, 0.9, False)


def test_default_policy_decides_every_kind():
    findings = [finding(f"c_{kind}", kind.value) for kind in PersonalDataKind]
    decisions, undecided = decide(findings, DEFAULT_POLICY)
    assert undecided == []
    actions = {d.kind: d.action for d in decisions}
    assert actions["citizen_id"] is Action.HASH
    assert actions["phone"] is Action.MASK
    assert actions["email"] is Action.MASK
    assert actions["date_of_birth"] is Action.GENERALIZE
    assert actions["address"] is Action.GENERALIZE
    assert actions["person_name"] is Action.DROP
    assert actions["free_text"] is Action.REDACT
    assert actions["religion"] is Action.DROP


def test_silent_policy_leaves_findings_undecided():
    policy = Policy(by_kind={"phone": Rule(Action.MASK)})
    findings = [finding("sdt", "phone"), finding("ho_ten", "person_name")]
    decisions, undecided = decide(findings, policy)
    assert decisions == [ColumnDecision("sdt", "phone", Action.MASK, "")]
    assert undecided == [findings[1]]


def test_column_rule_beats_kind_rule_and_matches_any_header_style():
    policy = Policy(
        by_kind={"person_name": Rule(Action.DROP)},
        by_column={"nguoi_ky": Rule(Action.KEEP, "Signers of decisions act in office")},
    )
    decisions, _ = decide(
        [finding("NguoiKy", "person_name"), finding("ho_ten", "person_name")], policy
    )
    assert [(d.column, d.action, d.justification) for d in decisions] == [
        ("NguoiKy", Action.KEEP, "Signers of decisions act in office"),
        ("ho_ten", Action.DROP, ""),
    ]


def test_harvest_source_policy_over_organisation_defaults():
    source = policy_from_config({"phone": "drop", "ghi_chu": "redact"})
    assert source.by_kind == {"phone": Rule(Action.DROP)}
    assert source.by_column == {"ghi_chu": Rule(Action.REDACT)}
    merged = source.over(DEFAULT_POLICY)
    decisions, undecided = decide(
        [finding("sdt", "phone"), finding("email", "email"), finding("ghi_chu", "free_text")],
        merged,
    )
    assert undecided == []
    assert [d.action for d in decisions] == [Action.DROP, Action.MASK, Action.REDACT]


def test_keep_rule_without_justification_is_invalid():
    with pytest.raises(InvalidPolicy, match="justification"):
        Rule(Action.KEEP)
    with pytest.raises(InvalidPolicy, match="justification"):
        policy_from_config({"ho_ten": "keep"})


def test_unknown_kind_action_or_impossible_generalization_is_invalid():
    with pytest.raises(InvalidPolicy, match="unknown personal-data kind"):
        Policy(by_kind={"shoe_size": Rule(Action.DROP)})
    with pytest.raises(InvalidPolicy, match="bad rule"):
        policy_from_config({"phone": "shred"})
    with pytest.raises(InvalidPolicy, match="cannot be generalized"):
        Policy(by_kind={"phone": Rule(Action.GENERALIZE)})


def test_generalize_column_rule_on_an_ungeneralizable_kind_stays_undecided():
    policy = Policy(by_column={"x": Rule(Action.GENERALIZE)})
    decisions, undecided = decide([finding("x", "citizen_id")], policy)
    assert decisions == [] and [f.column for f in undecided] == ["x"]


def test_policy_round_trips_through_json():
    policy = Policy(
        by_kind={"phone": Rule(Action.HASH), "address": Rule(Action.GENERALIZE)},
        by_column={"nguoi_ky": Rule(Action.KEEP, "Public officials")},
    )
    data = json.loads(json.dumps(policy_to_dict(policy)))
    assert data == {
        "kinds": {"address": "generalize", "phone": "hash"},
        "columns": {"nguoi_ky": {"action": "keep", "justification": "Public officials"}},
    }
    assert policy_from_dict(data) == policy
    assert policy_from_dict(policy_to_dict(DEFAULT_POLICY)) == DEFAULT_POLICY


def test_policy_from_dict_rejects_unknown_keys():
    with pytest.raises(InvalidPolicy, match="unknown policy keys"):
        policy_from_dict({"kinds": {}, "colums": {}})


def test_policy_mappings_are_read_only():
    with pytest.raises(TypeError):
        DEFAULT_POLICY.by_kind["phone"] = Rule(Action.KEEP, "x")
