"""The catalogue of administrative units of both generations and how a text names one.

``match`` reads a text the way agency files write places: with or without accents
("Phường Bến Thành", "phuong ben thanh"), with a type word or its abbreviation ("P.", "Q.",
"X.", "TP.", "TX.", "H.", "TT.", "ĐK."), glued numbers ("P1", "P.01", "Q3"), old and new
names, codes ("26743") and keys ("old-26740"), and a comma-separated context ("Phường 1,
Quận 3, TP.HCM"). When several units answer and nothing says which, it says so (an
ambiguous ``PlaceMatch``) instead of guessing. A current unit wins over an old unit of the
same name unless the district context points at the old one.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache

from datasets.places.sources import SourceData, load_sources
from datasets.places.units import CURRENT, OLD, OLD_KEY_PREFIX, PlaceMatch, Unit, fold_key
from datasets.text import slug_fold

CITY_CODE = "79"
MAX_TEXT = 300

# Folded type words and their abbreviations → the folded type word units carry.
_PREFIXES = {
    "thanh pho": "thanh pho",
    "tp": "thanh pho",
    "thi tran": "thi tran",
    "tt": "thi tran",
    "thi xa": "thi xa",
    "tx": "thi xa",
    "dac khu": "dac khu",
    "dk": "dac khu",
    "phuong": "phuong",
    "p": "phuong",
    "quan": "quan",
    "q": "quan",
    "huyen": "huyen",
    "h": "huyen",
    "tinh": "tinh",
    "xa": "xa",
    "x": "xa",
}
_PREFIX_ORDER = sorted(_PREFIXES, key=lambda p: (-len(p.split()), -len(p)))
_GLUED = re.compile(r"^(tp|tt|tx|dk|p|q|h|x)(\d+)$")
_CODE = re.compile(r"^(old[ -]?)?(\d{1,5})$")
_COUNTRY = re.compile(r"( viet nam| vietnam)$")
_CITY_ALIASES = ("tp hcm", "tphcm", "hcm", "hcmc", "ho chi minh city", "tp ho chi minh")


def _numbers(words: list[str]) -> list[str]:
    """Split glued abbreviations ("p1" → "p 1") and drop leading zeros ("01" → "1")."""
    out: list[str] = []
    for i, word in enumerate(words):
        glued = _GLUED.match(word) if i == 0 else None
        if glued:
            out.extend((glued.group(1), glued.group(2)))
        else:
            out.append((word.lstrip("0") or "0") if word.isdigit() else word)
    return out


def _parse(text: str) -> tuple[str | None, str]:
    """Return (folded type word or None, folded rest) of a place text."""
    words = _numbers(_COUNTRY.sub("", fold_key(text)).split())
    joined = " ".join(words)
    for prefix in _PREFIX_ORDER:
        if joined.startswith(prefix + " "):
            return _PREFIXES[prefix], joined[len(prefix) + 1 :]
    return None, joined


def _accented_words(text: str) -> list[str]:
    return re.findall(r"\w+", unicodedata.normalize("NFC", text).lower())


def _same_accents(text: str, units: list[Unit]) -> list[Unit]:
    """Among units whose names fold alike ("Thanh An", "Thạnh An"), those spelt as ``text``.

    When the text carries no marks, or none of the units is spelt exactly so, all stay.
    """
    if len(units) < 2 or slug_fold(text) == text:
        return units
    words = _accented_words(text)
    exact = [
        u
        for u in units
        if (short := _accented_words(u.short_name)) and words[-len(short) :] == short
    ]
    return exact or units


class PlaceCatalogue:
    """Every province, district, commune and ward of both generations, looked up by text."""

    def __init__(self, data: SourceData) -> None:
        self.versions = dict(data.versions)
        self._by_key: dict[str, Unit] = {u.key: u for u in data.units}
        self._successors = {
            old: tuple(self._by_key[k] for k in keys if k in self._by_key)
            for old, keys in data.successors.items()
        }
        self._names: dict[str, list[Unit]] = defaultdict(list)
        for unit in data.units:
            kind, rest = _parse(unit.name)
            self._names[rest].append(unit)
            if kind is None:
                self._names[fold_key(unit.name)].append(unit)
        city = self._by_key[CITY_CODE]
        for alias in _CITY_ALIASES:
            self._names[alias].append(city)
        self._predecessors: dict[str, list[Unit]] = defaultdict(list)
        for old, news in self._successors.items():
            for new in news:
                self._predecessors[new.key].append(self._by_key[old])

    def unit(self, code: str, generation: str | None = None) -> Unit | None:
        """Return the unit with this code or key ("26743", "old-26740"), current first.

        A bare code names the current unit when one has it (codes were reused in 2025);
        ``generation="old"`` asks for the old unit with that code.
        """
        code = code.strip()
        if code.startswith(OLD_KEY_PREFIX):
            return self._by_key.get(code) if generation in (None, OLD) else None
        if generation in (None, CURRENT) and code in self._by_key:
            return self._by_key[code]
        if generation in (None, OLD):
            return self._by_key.get(OLD_KEY_PREFIX + code)
        return None

    def label(self, unit: Unit) -> str:
        """The unit's name, with its old district for an old commune or ward.

        "Phường 1, Quận 3" names one old ward where "Phường 1" named eleven; ``match`` reads
        the label back to the same unit.
        """
        if unit.district_code is None:
            return unit.name
        district = self._by_key.get(OLD_KEY_PREFIX + unit.district_code)
        return unit.name if district is None else f"{unit.name}, {district.name}"

    def city(self) -> Unit:
        """Ho Chi Minh City (code 79) as it is today."""
        return self._by_key[CITY_CODE]

    def current_units(self, province_code: str = CITY_CODE) -> tuple[Unit, ...]:
        """The current communes, wards and special zones of a province, by folded name."""
        units = (
            u
            for u in self._by_key.values()
            if u.generation == CURRENT
            and u.level != "province"
            and u.province_code == province_code
        )
        return tuple(sorted(units, key=lambda u: (fold_key(u.short_name), u.code)))

    def old_units(self, province_code: str = CITY_CODE) -> tuple[Unit, ...]:
        """The old units (districts, communes, wards) that now lie in a current province."""
        units = (
            u
            for u in self._by_key.values()
            if u.obsolete and u.level != "province" and province_code in self._provinces(u)
        )
        return tuple(sorted(units, key=lambda u: (u.province_code, u.district_code or "", u.code)))

    def successors(self, unit: Unit) -> tuple[Unit, ...]:
        """The current units ``unit`` is or became (itself when it is current)."""
        if not unit.obsolete:
            return (unit,)
        return self._successors.get(unit.key, ())

    def predecessors(self, unit: Unit) -> tuple[Unit, ...]:
        """The old units that became (all or part of) the current ``unit``."""
        return tuple(self._predecessors.get(unit.key, ()))

    def expand(self, keys: Iterable[str]) -> tuple[str, ...]:
        """The keys of these units and of the current units they became (for search)."""
        out: dict[str, None] = {}
        for key in keys:
            unit = self.unit(key)
            if unit is None:
                continue
            out[unit.key] = None
            for new in self.successors(unit):
                out[new.key] = None
        return tuple(out)

    def match(
        self, text: str, *, province_code: str | None = None, district: str | None = None
    ) -> PlaceMatch | None:
        """Return the unit ``text`` names, an ambiguous match, or None when none does.

        ``province_code`` keeps units that are or became part of that current province.
        ``district`` (an old district's name or code, "Quận 3") picks among old units of
        the same name; so does a district after a comma ("Phường 1, Quận 3").
        """
        if not text or len(text) > MAX_TEXT:
            return None
        head, *hints = [p for p in text.split(",") if p.strip()] or [""]
        if district is not None:
            hints = [district, *hints]
        by_code = self._by_code(head)
        if by_code is not None:
            return self._answer([by_code])
        candidates = [u for u in self._named(head) if self._in_province(u, province_code)]
        district_code = self._district_hint(hints, province_code)
        if district_code is not None:
            inside = [u for u in candidates if u.obsolete and u.district_code == district_code]
            candidates = inside or candidates
            if inside:
                return self._answer(inside)
        current = [u for u in candidates if not u.obsolete]
        return self._answer(_same_accents(head, current or candidates))

    def _answer(self, units: list[Unit]) -> PlaceMatch | None:
        units = list({u.key: u for u in units}.values())
        if not units:
            return None
        if len(units) > 1:
            return PlaceMatch(None, (), tuple(units))
        return PlaceMatch(units[0], self.successors(units[0]), (units[0],))

    def _by_code(self, text: str) -> Unit | None:
        found = _CODE.match(fold_key(text).replace(" ", "-").replace("--", "-"))
        if found is None:
            return None
        digits = found.group(2)
        generation = OLD if found.group(1) else None
        # Provinces have 2 digits, districts 3, communes and wards 5 (leading zeros may go).
        width = 2 if len(digits) <= 2 else 3 if len(digits) == 3 else 5
        return self.unit(digits.zfill(width), generation)

    def _named(self, text: str) -> list[Unit]:
        kind, rest = _parse(text)
        units = self._names.get(rest, [])
        if kind is None:
            return list(units)
        return [u for u in units if fold_key(u.kind) == kind]

    def _provinces(self, unit: Unit) -> set[str]:
        return {unit.province_code} | {u.province_code for u in self.successors(unit)}

    def _in_province(self, unit: Unit, province_code: str | None) -> bool:
        return province_code is None or province_code in self._provinces(unit)

    def _district_hint(self, hints: list[str], province_code: str | None) -> str | None:
        for hint in hints:
            by_code = self._by_code(hint)
            units = [by_code] if by_code is not None else self._named(hint)
            districts = {
                u.code
                for u in units
                if u.level == "district" and u.obsolete and self._in_province(u, province_code)
            }
            if len(districts) == 1:
                return districts.pop()
        return None


@lru_cache(maxsize=1)
def place_catalogue() -> PlaceCatalogue:
    """The catalogue, built once per process from the installed packages (no network)."""
    return PlaceCatalogue(load_sources())
