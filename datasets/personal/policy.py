"""Personal-data policies: the default action per kind, with overrides per column.

An organisation sets defaults; a harvest source's policy (``{kind or column: action}``) is laid
over them with ``Policy.over``. Policies are stored as JSON through ``policy_to_dict`` and
``policy_from_dict``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from datasets.personal.actions import GENERALIZABLE, Action, ColumnDecision
from datasets.personal.detectors import Finding
from datasets.personal.errors import InvalidPolicy
from datasets.personal.headers import normalize_header
from datasets.personal.kinds import PersonalDataKind

K = PersonalDataKind
_KINDS = frozenset(kind.value for kind in PersonalDataKind)


@dataclass(frozen=True)
class Rule:
    """An action with its justification (required for KEEP)."""

    action: Action
    justification: str = ""

    def __post_init__(self) -> None:
        if self.action is Action.KEEP and not self.justification.strip():
            raise InvalidPolicy("a keep rule needs a justification")


def _frozen(rules: Mapping[str, Rule]) -> Mapping[str, Rule]:
    return MappingProxyType(dict(rules))


@dataclass(frozen=True)
class Policy:
    """Rules by kind and by column name; a column rule beats a kind rule.

    Column names are compared exactly, then in normalised form (``HoTen`` = ``ho_ten``).
    Raises InvalidPolicy for an unknown kind, or GENERALIZE for a kind that cannot be.
    """

    by_kind: Mapping[str, Rule] = field(default_factory=dict)
    by_column: Mapping[str, Rule] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for kind, rule in self.by_kind.items():
            if kind not in _KINDS:
                raise InvalidPolicy(f"unknown personal-data kind {kind!r}")
            if rule.action is Action.GENERALIZE and kind not in GENERALIZABLE:
                raise InvalidPolicy(f"kind {kind!r} cannot be generalized")
        object.__setattr__(self, "by_kind", _frozen(self.by_kind))
        object.__setattr__(self, "by_column", _frozen(self.by_column))

    def __reduce__(self) -> tuple[type[Policy], tuple[dict[str, Rule], dict[str, Rule]]]:
        # Read-only mappings do not pickle; a harvest hands policies to worker processes.
        return (Policy, (dict(self.by_kind), dict(self.by_column)))

    def over(self, base: Policy) -> Policy:
        """Return this policy laid over ``base``: its rules win, ``base`` fills the gaps."""
        return Policy(
            by_kind={**base.by_kind, **self.by_kind},
            by_column={**base.by_column, **self.by_column},
        )

    def rule_for(self, column: str, kind: str) -> Rule | None:
        """Return the rule for a column holding ``kind``, or None when the policy is silent."""
        if column in self.by_column:
            return self.by_column[column]
        wanted = normalize_header(column)
        for name, rule in self.by_column.items():
            if normalize_header(name) == wanted:
                return rule
        return self.by_kind.get(kind)


PROPOSED_KEEP = (
    "an organisation's public details (office landlines, institutional mailboxes, enterprise "
    "tax codes): kept as the scan proposed, no rule says otherwise"
)


def decide(
    findings: Sequence[Finding], policy: Policy, defaults: Policy | None = None
) -> tuple[list[ColumnDecision], list[Finding]]:
    """Return the decisions for ``findings`` and the findings left open.

    In order: a rule of ``policy`` (someone wrote it: the organisation's defaults, a harvest
    source's policy) for the column or its kind; then the scan's "keep" proposal for an
    organisation's public details; then ``defaults`` (the portal's built-in suggestions). A
    proposal never overrides a rule. A finding nothing decides is undecided: it blocks
    submission and holds a harvested dataset for review (the privacy fail-safe). A GENERALIZE
    rule on a column whose kind cannot be generalized also leaves the finding undecided.
    """
    decisions: list[ColumnDecision] = []
    undecided: list[Finding] = []
    for finding in findings:
        rule = policy.rule_for(finding.column, finding.kind)
        if rule is None and finding.proposal == "keep":
            rule = Rule(Action.KEEP, PROPOSED_KEEP)
        if rule is None and defaults is not None:
            rule = defaults.rule_for(finding.column, finding.kind)
        if rule is None or (rule.action is Action.GENERALIZE and finding.kind not in GENERALIZABLE):
            undecided.append(finding)
            continue
        decisions.append(
            ColumnDecision(finding.column, finding.kind, rule.action, rule.justification)
        )
    return decisions, undecided


def _rule_to_json(rule: Rule) -> str | dict[str, str]:
    if rule.justification:
        return {"action": rule.action.value, "justification": rule.justification}
    return rule.action.value


def _rule_from_json(key: str, raw: object) -> Rule:
    try:
        if isinstance(raw, str):
            return Rule(Action(raw))
        if isinstance(raw, Mapping):
            return Rule(Action(raw["action"]), str(raw.get("justification", "")))
    except (KeyError, ValueError) as exc:
        raise InvalidPolicy(f"bad rule for {key!r}: {exc}") from exc
    raise InvalidPolicy(f"bad rule for {key!r}: expected an action name or an object")


def policy_to_dict(policy: Policy) -> dict[str, Any]:
    """Return the policy as plain JSON-ready data: ``{"kinds": {...}, "columns": {...}}``."""
    return {
        "kinds": {kind: _rule_to_json(rule) for kind, rule in sorted(policy.by_kind.items())},
        "columns": {name: _rule_to_json(rule) for name, rule in sorted(policy.by_column.items())},
    }


def policy_from_dict(data: Mapping[str, Any]) -> Policy:
    """Return the policy stored by ``policy_to_dict``.

    Raises InvalidPolicy for unknown keys, kinds or actions.
    """
    unknown = set(data) - {"kinds", "columns"}
    if unknown:
        raise InvalidPolicy(f"unknown policy keys: {', '.join(sorted(unknown))}")
    kinds, columns = data.get("kinds", {}), data.get("columns", {})
    if not isinstance(kinds, Mapping) or not isinstance(columns, Mapping):
        raise InvalidPolicy("policy kinds and columns must be objects")
    return Policy(
        by_kind={str(k): _rule_from_json(str(k), v) for k, v in kinds.items()},
        by_column={str(k): _rule_from_json(str(k), v) for k, v in columns.items()},
    )


def policy_from_config(config: Mapping[str, Any]) -> Policy:
    """Return the policy of a harvest source's ``policy`` setting (``{kind or column: action}``).

    A key that names a kind is a kind rule; any other key is a column name.
    Raises InvalidPolicy for an unknown action.
    """
    by_kind: dict[str, Rule] = {}
    by_column: dict[str, Rule] = {}
    for key, raw in config.items():
        target = by_kind if key in _KINDS else by_column
        target[key] = _rule_from_json(key, raw)
    return Policy(by_kind=by_kind, by_column=by_column)


_HASH, _DROP = Rule(Action.HASH), Rule(Action.DROP)
DEFAULT_POLICY = Policy(
    by_kind={
        K.CITIZEN_ID: _HASH,
        K.ID_CARD: _HASH,
        K.PASSPORT: _HASH,
        K.TAX_CODE: _HASH,
        K.SOCIAL_INSURANCE: _HASH,
        K.HEALTH_INSURANCE: _HASH,
        K.BANK_ACCOUNT: _DROP,
        K.PHONE: Rule(Action.MASK),
        K.EMAIL: Rule(Action.MASK),
        K.LICENCE_PLATE: Rule(Action.MASK),
        K.DATE_OF_BIRTH: Rule(Action.GENERALIZE),
        K.ADDRESS: Rule(Action.GENERALIZE),
        K.PERSON_NAME: _DROP,
        K.FREE_TEXT: Rule(Action.REDACT),
        K.ETHNICITY: _DROP,
        K.RELIGION: _DROP,
        K.HEALTH: _DROP,
        K.CRIMINAL: _DROP,
        K.BIOMETRIC: _DROP,
        K.LOCATION: _DROP,
        K.ONLINE_ACTIVITY: _DROP,
        K.ID_DOCUMENT_IMAGE: _DROP,
    }
)
