"""The table of known licences: every way catalogs spell a licence maps to one entry."""

from __future__ import annotations

import pytest

from datasets.licence_map import (
    KNOWN_LICENCES,
    licence_key,
    portal_licence_id,
    recognise_licence,
    states_no_licence,
)
from datasets.vocab import LICENSES

EU = "http://publications.europa.eu/resource/authority/licence/"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"{EU}CC_BY_4_0", "cc-by-4.0"),
        (f"{EU}CC0", "cc0-1.0"),
        (f"{EU}CC_BYSA_4_0", "cc-by-sa-4.0"),
        (f"{EU}ODC_BY", "odc-by"),
        (f"{EU}ODBL", "odc-odbl"),
        ("http://opendefinition.org/licenses/cc-by/", "cc-by-4.0"),
        ("http://www.opendefinition.org/licenses/odc-odbl", "odc-odbl"),
        ("http://opendefinition.org/licenses/cc-zero", "cc0-1.0"),
        ("https://creativecommons.org/licenses/by/4.0/", "cc-by-4.0"),
        ("https://creativecommons.org/licenses/by/4.0", "cc-by-4.0"),
        ("http://creativecommons.org/licenses/by/4.0/legalcode", "cc-by-4.0"),
        ("https://creativecommons.org/licenses/by/4.0/legalcode.vi", "cc-by-4.0"),
        ("https://creativecommons.org/licenses/by/4.0/deed.vi", "cc-by-4.0"),
        ("HTTPS://CreativeCommons.org/licenses/by-sa/4.0/deed.en", "cc-by-sa-4.0"),
        ("https://creativecommons.org/publicdomain/zero/1.0/", "cc0-1.0"),
        ("http://dcat-ap.de/def/licenses/cc-by/4.0", "cc-by-4.0"),
        ("http://dcat-ap.de/def/licenses/cc-zero", "cc0-1.0"),
        ("http://dcat-ap.de/def/licenses/odbl", "odc-odbl"),
        ("https://opendatacommons.org/licenses/odbl/1-0/", "odc-odbl"),
        ("http://spdx.org/licenses/CC-BY-4.0", "cc-by-4.0"),
        ("CC-BY-4.0", "cc-by-4.0"),
        ("cc-by", "cc-by-4.0"),
        ("cc-zero", "cc0-1.0"),
        ("Creative Commons Attribution 4.0", "cc-by-4.0"),
        (" odc-odbl ", "odc-odbl"),
    ],
)
def test_offered_licence_spellings_map_to_our_id(text: str, expected: str) -> None:
    assert portal_licence_id(text) == expected
    found = recognise_licence(text)
    assert found is not None and found.portal_id == expected


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("http://creativecommons.org/licenses/by-nc/3.0/", "CC BY-NC 3.0"),
        ("https://creativecommons.org/licenses/by-nd/4.0/legalcode", "CC BY-ND 4.0"),
        (f"{EU}CC_BYNCND_3_0", "CC BY-NC-ND 3.0"),
        (f"{EU}CC_BYNC_4_0", "CC BY-NC 4.0"),
        ("http://creativecommons.org/licenses/by/3.0/", "CC BY 3.0"),
        (
            "http://dcat-ap.de/def/licenses/dl-by-de/2.0",
            "Datenlizenz Deutschland – Namensnennung 2.0",
        ),
        ("http://www.usa.gov/publicdomain/label/1.0/", "US public domain"),
        ("cc-nc", "Creative Commons Non-Commercial"),
        ("http://reference.data.gov.uk/id/open-government-licence", "Open Government Licence"),
    ],
)
def test_recognised_licences_we_do_not_offer_keep_their_name(text: str, name: str) -> None:
    found = recognise_licence(text)
    assert found is not None and found.name == name and found.portal_id == ""
    assert portal_licence_id(text) == ""


def test_unknown_and_unstated_licences() -> None:
    assert recognise_licence("https://data.some.org/link/to/license") is None
    assert recognise_licence("") is None
    assert states_no_licence("https://project-open-data.cio.gov/unknown-license")
    assert states_no_licence("  ") and states_no_licence("notspecified")
    assert not states_no_licence("cc-by")


def test_key_normaliser_and_table_are_consistent() -> None:
    assert licence_key("http://www.Example.org/a/b/?x=1#f") == "example.org/a/b"
    assert licence_key("https://creativecommons.org/licenses/by/4.0/legalcode.en/") == (
        "creativecommons.org/licenses/by/4.0"
    )
    # every offered id is reachable, and every portal id in the table is one we offer
    assert {entry.portal_id for entry in KNOWN_LICENCES.values()} - {""} == set(LICENSES)
    assert all(key == licence_key(key) for key in KNOWN_LICENCES)
