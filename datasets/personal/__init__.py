"""Personal-data protection (SPEC §6): detect, decide, strip, check k-anonymity, encrypt."""

from datasets.personal.actions import (
    BY_POLICY,
    GENERALIZABLE,
    Action,
    ColumnDecision,
    StripResult,
    apply_actions,
    columns_emptied,
    generalize_value,
    hash_value,
    mask_value,
    redact_text,
)
from datasets.personal.detectors import (
    Finding,
    findings_of,
    scan_columns,
    scan_csv,
    scan_rest,
    scanner_for,
)
from datasets.personal.encryption import decrypt_stream, encrypt_stream
from datasets.personal.errors import (
    DecryptionFailed,
    InvalidDecision,
    InvalidPolicy,
    MalformedTable,
    PersonalDataError,
    UnresolvedFinding,
)
from datasets.personal.freetext import find_in_text
from datasets.personal.headers import normalize_header
from datasets.personal.kanon import (
    DEFAULT_QUASI_IDENTIFIERS,
    generalized_places,
    smallest_group_size,
)
from datasets.personal.kinds import (
    CURRENT_CATEGORIES,
    LEGAL_CATEGORIES,
    LegalCategories,
    PersonalDataKind,
    categories_on,
)
from datasets.personal.policy import (
    DEFAULT_POLICY,
    PROPOSED_KEEP,
    Policy,
    Rule,
    decide,
    policy_from_config,
    policy_from_dict,
    policy_to_dict,
)
from datasets.personal.scanner import TableScanner

__all__ = [
    "BY_POLICY",
    "CURRENT_CATEGORIES",
    "DEFAULT_POLICY",
    "DEFAULT_QUASI_IDENTIFIERS",
    "GENERALIZABLE",
    "LEGAL_CATEGORIES",
    "PROPOSED_KEEP",
    "Action",
    "ColumnDecision",
    "DecryptionFailed",
    "Finding",
    "InvalidDecision",
    "InvalidPolicy",
    "LegalCategories",
    "MalformedTable",
    "PersonalDataError",
    "PersonalDataKind",
    "Policy",
    "Rule",
    "StripResult",
    "TableScanner",
    "UnresolvedFinding",
    "apply_actions",
    "categories_on",
    "columns_emptied",
    "decide",
    "decrypt_stream",
    "encrypt_stream",
    "find_in_text",
    "findings_of",
    "generalize_value",
    "generalized_places",
    "hash_value",
    "mask_value",
    "normalize_header",
    "policy_from_config",
    "policy_from_dict",
    "policy_to_dict",
    "redact_text",
    "scan_columns",
    "scan_csv",
    "scan_rest",
    "scanner_for",
    "smallest_group_size",
]
