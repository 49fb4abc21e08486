"""Recognise a licence as catalogs state it: one table of known licences and a normaliser.

Catalogs name licences many ways: EU authority URIs
(``http://publications.europa.eu/resource/authority/licence/CC_BY_4_0``), opendefinition.org
and dcat-ap.de URIs, creativecommons.org deeds and legal codes (http or https, with or
without ``www.``, a trailing slash, ``/legalcode`` or ``/deed.vi``), SPDX URIs and ids, CKAN
licence ids and data.json ``license`` URLs. ``licence_key`` reduces each to one key, and
``KNOWN_LICENCES`` says which licence each key names and whether the portal offers it
(``portal_id``, one of ``datasets.vocab.LICENSES``) or not (``portal_id == ""``: CC BY-NC,
CC BY-ND, another version, a national licence...). A licence the portal does not offer is
never replaced by another one: the harvester holds the dataset for a steward.

Versions matter: CC BY 3.0 is not CC BY 4.0, so only the versions the portal offers map.
An unversioned name (CKAN's ``cc-by``, opendefinition.org's ``cc-by``, dcat-ap.de's
``cc-by``) names the licence family; it maps to the version the portal offers, as CKAN's
own register does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from datasets.vocab import LICENSES


@dataclass(frozen=True)
class KnownLicence:
    """A licence catalogs name; ``portal_id`` is "" when the portal does not offer it."""

    name: str  # short human name, used in held reasons ("CC BY-NC 3.0")
    portal_id: str
    keys: tuple[str, ...]  # normalised names (``licence_key``) that mean this licence


# Keys that say "no licence stated" rather than naming one: treated like an empty field.
UNSTATED_KEYS = frozenset(
    {"notspecified", "project-open-data.cio.gov/unknown-license", "other-closed-unspecified"}
)

_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://")
_TAIL = re.compile(r"(/legalcode(\.[a-z_-]+)?|/deed(\.[a-z_-]+)?|/index\.html?|\.html?|\.rdf)$")


def licence_key(text: str) -> str:
    """Return the normalised key of a licence name, id or URI (lower case, no scheme,
    no ``www.``, no query or fragment, no ``/legalcode``/``/deed.xx`` tail, no end slash)."""
    key = text.strip().lower()
    key = _SCHEME.sub("", key)
    key = key.removeprefix("www.")
    key = key.split("#", 1)[0].split("?", 1)[0].rstrip("/")
    while True:
        shorter = _TAIL.sub("", key).rstrip("/")
        if shorter == key:
            return key
        key = shorter


_CC_CODES = {
    "by": "CC BY",
    "by-sa": "CC BY-SA",
    "by-nc": "CC BY-NC",
    "by-nd": "CC BY-ND",
    "by-nc-sa": "CC BY-NC-SA",
    "by-nc-nd": "CC BY-NC-ND",
}
_CC_VERSIONS = ("1.0", "2.0", "2.5", "3.0", "4.0")
# The Creative Commons licences the portal offers (code, version) -> portal id.
_CC_OFFERED = {("by", "4.0"): "cc-by-4.0", ("by-sa", "4.0"): "cc-by-sa-4.0"}
# Unversioned names of a licence family, and the portal licence they map to ("" = none).
_CC_FAMILY = {"by": "cc-by-4.0", "by-sa": "cc-by-sa-4.0"}


def _creative_commons() -> list[KnownLicence]:
    found = []
    for code, label in _CC_CODES.items():
        eu = "cc_" + code.replace("-", "")
        spdx = "cc-" + code
        for version in _CC_VERSIONS:
            under = version.replace(".", "_")
            keys = (
                f"creativecommons.org/licenses/{code}/{version}",
                f"publications.europa.eu/resource/authority/licence/{eu}_{under}",
                f"spdx.org/licenses/{spdx}-{version}",
                f"{spdx}-{version}",
                f"{label.lower()} {version}",
                f"dcat-ap.de/def/licenses/{spdx}/{version}",
            )
            found.append(
                KnownLicence(f"{label} {version}", _CC_OFFERED.get((code, version), ""), keys)
            )
        family = (
            f"opendefinition.org/licenses/{spdx}",
            f"dcat-ap.de/def/licenses/{spdx}",
            f"creativecommons.org/licenses/{code}",
            f"{spdx}",
            label.lower(),
        )
        found.append(KnownLicence(label, _CC_FAMILY.get(code, ""), family))
    return found


def _others() -> list[KnownLicence]:
    eu = "publications.europa.eu/resource/authority/licence/"
    od = "opendefinition.org/licenses/"
    de = "dcat-ap.de/def/licenses/"
    odc = "opendatacommons.org/licenses/"
    return [
        KnownLicence(
            "CC0 1.0",
            "cc0-1.0",
            (
                "creativecommons.org/publicdomain/zero/1.0",
                f"{eu}cc0",
                f"{eu}cc0_1_0",
                "spdx.org/licenses/cc0-1.0",
                "cc0-1.0",
                "cc0",
                "cc-zero",
                f"{od}cc-zero",
                f"{de}cc-zero",
                f"{de}cc0/1.0",
            ),
        ),
        KnownLicence(
            "ODC-By 1.0",
            "odc-by",
            (
                f"{odc}by/1-0",
                f"{odc}by/1.0",
                f"{odc}by",
                f"{eu}odc_by",
                f"{eu}odc_by_1_0",
                "spdx.org/licenses/odc-by-1.0",
                "odc-by-1.0",
                "odc-by",
                f"{od}odc-by",
                f"{de}odby",
                f"{de}odc-by",
            ),
        ),
        KnownLicence(
            "ODbL 1.0",
            "odc-odbl",
            (
                f"{odc}odbl/1-0",
                f"{odc}odbl/1.0",
                f"{odc}odbl",
                f"{eu}odbl",
                f"{eu}odc_odbl",
                f"{eu}odbl_1_0",
                "spdx.org/licenses/odbl-1.0",
                "odbl-1.0",
                "odbl",
                "odc-odbl",
                f"{od}odc-odbl",
                f"{de}odbl",
            ),
        ),
        KnownLicence(
            "ODC PDDL 1.0",
            "",
            (
                f"{odc}pddl/1-0",
                f"{odc}pddl/1.0",
                f"{odc}pddl",
                f"{eu}odc_pddl",
                f"{eu}pddl_1_0",
                "spdx.org/licenses/pddl-1.0",
                "pddl-1.0",
                "odc-pddl",
                f"{od}odc-pddl",
                f"{de}odcpddl",
            ),
        ),
        KnownLicence(
            "Public Domain Mark 1.0",
            "",
            ("creativecommons.org/publicdomain/mark/1.0", f"{eu}cc_pdm_1_0", "other-pd"),
        ),
        KnownLicence("US public domain", "", ("usa.gov/publicdomain/label/1.0",)),
        KnownLicence(
            "Datenlizenz Deutschland – Namensnennung 2.0",
            "",
            (f"{de}dl-by-de/2.0", f"{eu}dl_by_de_2_0", "dl-de-by-2.0", "dl-by-de/2.0"),
        ),
        KnownLicence(
            "Datenlizenz Deutschland – Zero 2.0",
            "",
            (f"{de}dl-zero-de/2.0", f"{eu}dl_zero_de_2_0", "dl-de-zero-2.0"),
        ),
        KnownLicence(
            "Open Government Licence",
            "",
            (
                "reference.data.gov.uk/id/open-government-licence",
                "nationalarchives.gov.uk/doc/open-government-licence/version/3",
                f"{eu}ogl_3_0",
                "ogl-uk-3.0",
                "uk-ogl",
                f"{od}uk-ogl",
            ),
        ),
        KnownLicence("European Commission reuse notice", "", (f"{eu}com_reuse",)),
        KnownLicence("GNU Free Documentation License", "", ("gfdl", f"{od}gfdl", "gfdl-1.3")),
        KnownLicence("Creative Commons Non-Commercial", "", ("cc-nc", f"{od}cc-nc")),
        KnownLicence("Other (open)", "", ("other-open", f"{od}other-open")),
        KnownLicence("Other (attribution)", "", ("other-at", f"{od}other-at")),
        KnownLicence("Other (non-commercial)", "", ("other-nc", f"{od}other-nc")),
        KnownLicence("Other (not open)", "", ("other-closed", f"{od}other-closed")),
    ]


def _portal_own() -> list[KnownLicence]:
    """The portal's own ids, titles and canonical URLs name its licences too."""
    return [
        KnownLicence(lic.title, lic.id, (lic.id, lic.title.lower(), licence_key(lic.url)))
        for lic in LICENSES.values()
    ]


def _index(entries: list[KnownLicence]) -> dict[str, KnownLicence]:
    index: dict[str, KnownLicence] = {}
    for entry in entries:
        for key in entry.keys:
            normal = licence_key(key)
            # The first entry naming a key wins; the portal's own come first.
            index.setdefault(normal, entry)
    return index


KNOWN_LICENCES: dict[str, KnownLicence] = _index(_portal_own() + _others() + _creative_commons())


def recognise_licence(text: str) -> KnownLicence | None:
    """Return the known licence ``text`` names (an id, title or URI), or None."""
    key = licence_key(text)
    return KNOWN_LICENCES.get(key) if key else None


def states_no_licence(text: str) -> bool:
    """Return whether ``text`` is empty or a marker meaning "no licence stated"."""
    key = licence_key(text)
    return not key or key in UNSTATED_KEYS


def portal_licence_id(text: str) -> str:
    """Return the portal licence id ``text`` names, or "" (unknown, or not offered)."""
    found = recognise_licence(text)
    return found.portal_id if found else ""
