"""Kinds of personal data and the legal categories (basic or sensitive) they belong to.

The category lists are versioned data with effective dates, because Vietnamese law replaced
them on 2026-01-01 (Decree 13/2023 → Law 91/2025/QH15 and Decree 356/2025).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class PersonalDataKind(StrEnum):
    """A kind of personal data the portal detects, one per column finding."""

    CITIZEN_ID = "citizen_id"  # CCCD / personal ID number, 12 digits
    ID_CARD = "id_card"  # old CMND, 9 digits (header context only)
    PASSPORT = "passport"  # header context only
    PHONE = "phone"
    EMAIL = "email"
    TAX_CODE = "tax_code"  # personal tax code; enterprise codes are public
    SOCIAL_INSURANCE = "social_insurance"  # mã số BHXH, 10 digits (header context only)
    HEALTH_INSURANCE = "health_insurance"  # mã thẻ BHYT, 2 letters + 13 digits
    BANK_ACCOUNT = "bank_account"  # header context only
    LICENCE_PLATE = "licence_plate"
    DATE_OF_BIRTH = "date_of_birth"  # also year of birth and age
    ADDRESS = "address"  # street address of a person
    PERSON_NAME = "person_name"
    ETHNICITY = "ethnicity"
    RELIGION = "religion"
    HEALTH = "health"
    CRIMINAL = "criminal"
    BIOMETRIC = "biometric"
    LOCATION = "location"  # coordinates or position of a person
    ONLINE_ACTIVITY = "online_activity"  # IP addresses, access and login history
    ID_DOCUMENT_IMAGE = "id_document_image"  # photo or scan of an ID card
    FREE_TEXT = "free_text"  # a text column with personal data inside the text


# CCCD province codes (Circular 07/2016/TT-BCA, Annex; kept by Circular 59/2021/TT-BCA). The
# 2025 merger of provinces does not renumber cards already issued, so the 63 codes stay valid.
PROVINCE_CODES: frozenset[str] = frozenset(
    {
        "001", "002", "004", "006", "008", "010", "011", "012", "014", "015",
        "017", "019", "020", "022", "024", "025", "026", "027", "030", "031",
        "033", "034", "035", "036", "037", "038", "040", "042", "044", "045",
        "046", "048", "049", "051", "052", "054", "056", "058", "060", "062",
        "064", "066", "067", "068", "070", "072", "074", "075", "077", "079",
        "080", "082", "083", "084", "086", "087", "089", "091", "092", "093",
        "094", "095", "096",
    }
)  # fmt: skip


@dataclass(frozen=True)
class LegalCategories:
    """Which kinds one legal instrument counts as basic and which as sensitive personal data."""

    effective: date
    instrument: str
    basic: frozenset[PersonalDataKind]
    sensitive: frozenset[PersonalDataKind]

    def is_sensitive(self, kind: str) -> bool:
        """Return True when ``kind`` is sensitive personal data under this instrument."""
        return kind in self.sensitive


K = PersonalDataKind

# Decree 13/2023/NĐ-CP Art. 2: clause 3 (basic) and clause 4 (sensitive). Bank accounts fall under
# 4(h) (customer data of credit institutions); online activity history is basic under 3(k).
_DECREE_13_BASIC = frozenset(
    {
        K.CITIZEN_ID, K.ID_CARD, K.PASSPORT, K.PHONE, K.EMAIL, K.TAX_CODE,
        K.SOCIAL_INSURANCE, K.HEALTH_INSURANCE, K.LICENCE_PLATE, K.DATE_OF_BIRTH,
        K.ADDRESS, K.PERSON_NAME, K.ONLINE_ACTIVITY, K.ID_DOCUMENT_IMAGE, K.FREE_TEXT,
    }
)  # fmt: skip
_DECREE_13_SENSITIVE = frozenset(
    {K.ETHNICITY, K.RELIGION, K.HEALTH, K.CRIMINAL, K.BIOMETRIC, K.LOCATION, K.BANK_ACCOUNT}
)

# Law 91/2025/QH15 with Decree 356/2025/NĐ-CP Arts. 3-4: images of ID cards and behavioural or
# usage-tracking data (online activity history) move to the sensitive list; tax and insurance
# numbers are no longer listed by name but stay basic through the catch-all clause.
_LAW_91_SENSITIVE = _DECREE_13_SENSITIVE | {K.ID_DOCUMENT_IMAGE, K.ONLINE_ACTIVITY}
_LAW_91_BASIC = _DECREE_13_BASIC - _LAW_91_SENSITIVE

LEGAL_CATEGORIES: tuple[LegalCategories, ...] = (
    LegalCategories(
        effective=date(2023, 7, 1),
        instrument="Decree 13/2023/NĐ-CP",
        basic=_DECREE_13_BASIC,
        sensitive=_DECREE_13_SENSITIVE,
    ),
    LegalCategories(
        effective=date(2026, 1, 1),
        instrument="Law 91/2025/QH15; Decree 356/2025/NĐ-CP",
        basic=_LAW_91_BASIC,
        sensitive=_LAW_91_SENSITIVE,
    ),
)

CURRENT_CATEGORIES: LegalCategories = LEGAL_CATEGORIES[-1]


def categories_on(
    day: date, entries: tuple[LegalCategories, ...] = LEGAL_CATEGORIES
) -> LegalCategories:
    """Return the legal categories in force on ``day``.

    Entries are searched by effective date, so the order of ``entries`` does not matter.
    Raises ValueError when ``day`` precedes every entry (no unified list was in force).
    """
    in_force = [entry for entry in entries if entry.effective <= day]
    if not in_force:
        raise ValueError(f"no personal-data category list in force on {day.isoformat()}")
    return max(in_force, key=lambda entry: entry.effective)
