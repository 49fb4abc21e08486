from datetime import date

import pytest

from datasets.personal import LEGAL_CATEGORIES, PersonalDataKind, categories_on
from datasets.personal.kinds import PROVINCE_CODES


def test_province_codes_are_the_63_cccd_codes():
    assert len(PROVINCE_CODES) == 63
    assert {"001", "079", "096", "048", "092"} <= PROVINCE_CODES
    assert not {"000", "003", "097", "078"} & PROVINCE_CODES


def test_decree_13_applies_from_july_2023():
    categories = categories_on(date(2023, 7, 1))
    assert categories.instrument.startswith("Decree 13/2023")
    assert PersonalDataKind.CITIZEN_ID in categories.basic
    assert PersonalDataKind.RELIGION in categories.sensitive
    assert PersonalDataKind.ONLINE_ACTIVITY in categories.basic
    assert PersonalDataKind.ID_DOCUMENT_IMAGE in categories.basic


def test_law_91_replaces_decree_13_on_1_january_2026():
    assert categories_on(date(2025, 12, 31)).instrument.startswith("Decree 13/2023")
    categories = categories_on(date(2026, 1, 1))
    assert "Law 91/2025/QH15" in categories.instrument
    assert PersonalDataKind.ONLINE_ACTIVITY in categories.sensitive
    assert PersonalDataKind.ID_DOCUMENT_IMAGE in categories.sensitive
    assert PersonalDataKind.ONLINE_ACTIVITY not in categories.basic
    assert categories.is_sensitive("bank_account")
    assert not categories.is_sensitive("phone")


def test_no_category_list_before_decree_13():
    with pytest.raises(ValueError, match="2023-06-30"):
        categories_on(date(2023, 6, 30))


def test_every_kind_is_basic_or_sensitive_under_each_instrument():
    for entry in LEGAL_CATEGORIES:
        assert entry.basic | entry.sensitive == set(PersonalDataKind)
        assert not entry.basic & entry.sensitive
