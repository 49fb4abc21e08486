"""A harvest source's ``--config`` JSON (SPEC §3 Harvest flow), validated key by key.

Errors are ``InvalidInput`` with one entry per bad key (``{"config.org_map": [code]}``),
so the CLI and the admin form name the key that is wrong.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from datasets.personal import InvalidPolicy, Policy, policy_from_config
from datasets.vocab import LICENSES
from publishers import InvalidInput

KNOWN_KEYS = frozenset(
    {
        "approval_tag",
        "approval_extra",
        "approval_status",
        "remote_orgs",
        "org_map",
        "require_review",
        "policy",
        "max_withdraw_share",
        "queries",
        "auth",
        "rows",
        "default_license",
    }
)
_SELECT = re.compile(r"^\s*(select|with)\b", re.IGNORECASE)
_CREDENTIAL = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,99}$")


@dataclass(frozen=True)
class SourceConfig:
    """The validated settings of one source."""

    approval_tag: str = ""
    approval_extra: tuple[str, str] | None = None
    approval_status: str = ""
    remote_orgs: tuple[str, ...] = ()
    org_map: Mapping[str, str] = field(default_factory=dict)
    require_review: bool = False
    policy: Mapping[str, Any] = field(default_factory=dict)
    max_withdraw_share: float = 0.5
    queries: Mapping[str, str] = field(default_factory=dict)
    auth: str = ""  # a credential name; its secret lives encrypted in the data dir
    rows: int = 1000  # CKAN page size
    default_license: str = ""  # licence id when the source gives none the portal knows

    def source_policy(self) -> Policy:
        """Return the source's own personal-data rules (``{kind or column: action}``)."""
        return policy_from_config(self.policy)


def _strings(value: Any) -> tuple[str, ...] | None:
    if isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value):
        return tuple(v.strip() for v in value)
    return None


def parse_config(raw: Mapping[str, Any] | str | None, source_type: str = "") -> SourceConfig:
    """Validate a config object (or its JSON text) and return it typed.

    Raises ``InvalidInput`` naming every bad key: unknown keys, wrong types, an
    ``approval_extra`` without ``=``, an unknown policy action, a share outside 0..1,
    ``queries`` that are not single SELECT statements, or SQL sources without queries.
    """
    if raw is None or raw == "":
        raw = {}
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise InvalidInput("bad config", {"config": ["invalid_json"]}) from None
    if not isinstance(raw, Mapping):
        raise InvalidInput("bad config", {"config": ["not_an_object"]})
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}

    def bad(key: str, code: str) -> None:
        errors.setdefault(f"config.{key}", []).append(code)

    for key in sorted(set(raw) - KNOWN_KEYS):
        bad(key, "unknown_key")
    for key in ("approval_tag", "approval_status", "auth", "default_license"):
        if key in raw:
            if not isinstance(raw[key], str):
                bad(key, "expected_text")
            else:
                values[key] = raw[key].strip()
    if values.get("auth") and not _CREDENTIAL.match(values["auth"]):
        bad("auth", "invalid_credential_name")
    if "approval_extra" in raw:
        text = raw["approval_extra"]
        if not isinstance(text, str) or "=" not in text or not text.split("=", 1)[0].strip():
            bad("approval_extra", "expected_key_equals_value")
        else:
            key, value = text.split("=", 1)
            values["approval_extra"] = (key.strip(), value.strip())
    if values.get("default_license") and values["default_license"] not in LICENSES:
        bad("default_license", "unknown_license")
    for key in ("remote_orgs",):
        if key in raw:
            items = _strings(raw[key])
            if items is None:
                bad(key, "expected_list_of_text")
            else:
                values[key] = items
    for key in ("org_map", "queries"):
        if key in raw:
            mapping = raw[key]
            if not isinstance(mapping, Mapping) or not all(
                isinstance(k, str) and isinstance(v, str) and k.strip() and v.strip()
                for k, v in mapping.items()
            ):
                bad(key, "expected_object_of_text")
            else:
                values[key] = {k.strip(): v.strip() for k, v in mapping.items()}
    for name, query in values.get("queries", {}).items():
        if not _SELECT.match(query) or ";" in query.strip().rstrip(";"):
            bad("queries", f"not_a_select:{name}")
    if "require_review" in raw:
        if not isinstance(raw["require_review"], bool):
            bad("require_review", "expected_true_or_false")
        else:
            values["require_review"] = raw["require_review"]
    if "max_withdraw_share" in raw:
        share = raw["max_withdraw_share"]
        if isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share <= 1:
            bad("max_withdraw_share", "expected_share_0_to_1")
        else:
            values["max_withdraw_share"] = float(share)
    if "rows" in raw:
        rows = raw["rows"]
        if isinstance(rows, bool) or not isinstance(rows, int) or not 1 <= rows <= 1000:
            bad("rows", "expected_1_to_1000")
        else:
            values["rows"] = rows
    if "policy" in raw:
        if not isinstance(raw["policy"], Mapping):
            bad("policy", "expected_object")
        else:
            try:
                policy_from_config(raw["policy"])
            except InvalidPolicy:
                bad("policy", "invalid_policy")
            else:
                values["policy"] = dict(raw["policy"])
    if source_type == "sql" and not values.get("queries") and "queries" not in errors:
        bad("queries", "required_for_sql")
    if errors:
        raise InvalidInput("invalid source config", errors)
    return SourceConfig(**values)


def config_to_json(config: Mapping[str, Any] | str | None) -> str:
    """Return the config as canonical JSON text (validated elsewhere)."""
    if isinstance(config, str):
        config = json.loads(config or "{}")
    return json.dumps(config or {}, ensure_ascii=False, sort_keys=True)
