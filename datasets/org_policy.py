"""An organization's default personal-data actions per kind (SPEC §6), read and saved.

The policy is a ``datasets.personal.Policy`` stored as JSON on the organization through
``publishers.Administration.set_policy`` (which checks the steward's permission and
audits the change). Kinds the organization leaves open fall back to the portal default.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from datasets.personal import (
    DEFAULT_POLICY,
    Action,
    InvalidPolicy,
    PersonalDataKind,
    Policy,
    Rule,
    policy_from_dict,
    policy_to_dict,
)
from publishers import Actor, Administration, InvalidInput, Organization

GENERALIZABLE_KINDS = frozenset(
    {PersonalDataKind.DATE_OF_BIRTH, PersonalDataKind.ADDRESS, PersonalDataKind.LOCATION}
)


@dataclass(frozen=True)
class KindRule:
    """One row of the policy form: a kind, the organization's rule and the portal default."""

    kind: str
    action: str  # "" when the organization uses the portal default
    justification: str
    default_action: str
    can_generalize: bool


def organization_policy(org: Organization) -> Policy:
    """Return the organization's own rules (empty when it never set any)."""
    if not org.policy:
        return Policy()
    return policy_from_dict(json.loads(org.policy))


def policy_rows(org: Organization) -> list[KindRule]:
    """Return one row per personal-data kind for the policy page."""
    own = organization_policy(org)
    rows = []
    for kind in PersonalDataKind:
        rule = own.by_kind.get(kind.value)
        default = DEFAULT_POLICY.by_kind.get(kind.value)
        rows.append(
            KindRule(
                kind=kind.value,
                action=rule.action.value if rule else "",
                justification=rule.justification if rule else "",
                default_action=default.action.value if default else "",
                can_generalize=kind in GENERALIZABLE_KINDS,
            )
        )
    return rows


def save_organization_policy(
    admin: Administration,
    actor: Actor,
    org: Organization,
    actions: Mapping[str, str],
    justifications: Mapping[str, str],
) -> Policy:
    """Save the organization's rules per kind ("" = portal default); keep its column rules.

    Raises ``InvalidInput`` naming each bad kind (unknown action, generalize on a kind
    that cannot be, keep without a justification) and ``PermissionDenied``.
    """
    errors: dict[str, list[str]] = {}
    by_kind: dict[str, Rule] = {}
    known = {k.value for k in PersonalDataKind}
    for kind, raw in actions.items():
        if not raw:
            continue
        if kind not in known:
            errors[kind] = ["unknown_kind"]
            continue
        try:
            by_kind[kind] = Rule(Action(raw), justifications.get(kind, "").strip())
            Policy(by_kind={kind: by_kind[kind]})
        except ValueError:
            errors[kind] = ["unknown_action"]
        except InvalidPolicy:
            errors[kind] = ["justification_required" if raw == "keep" else "not_generalizable"]
    if errors:
        raise InvalidInput("invalid policy", errors)
    policy = Policy(by_kind=by_kind, by_column=organization_policy(org).by_column)
    admin.set_policy(actor, org.id, json.dumps(policy_to_dict(policy), ensure_ascii=False))
    return policy
