"""Re-identification check: k-anonymity over the quasi-identifiers left in a public file."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from datasets.personal.actions import Action, ColumnDecision
from datasets.personal.headers import normalize_header
from datasets.personal.kinds import PersonalDataKind as K

# Columns that, combined, can single a person out (Sweeney: sex, birth date and postcode
# identify most people). Compared in normalised form, so ``GioiTinh`` and ``Giới tính`` match.
# Attributes of a person:
PERSON_QUASI_IDENTIFIERS: tuple[str, ...] = (
    "gioi_tinh", "phai", "gender", "sex",
    "nam_sinh", "ngay_sinh", "year_of_birth", "birth_year", "date_of_birth", "tuoi", "do_tuoi",
    "age",
    "quoc_tich", "nationality", "dan_toc", "ethnicity", "ton_giao", "religion",
    "nghe_nghiep", "occupation", "tinh_trang_hon_nhan", "marital_status",
)  # fmt: skip
# Places, which single out a person only in a table about persons (a bicycle station's ward
# is not about anyone):
PLACE_QUASI_IDENTIFIERS: tuple[str, ...] = (
    "phuong", "phuong_xa", "xa", "ward", "quan", "quan_huyen", "huyen", "district",
    "ma_buu_chinh", "postcode", "zip",
)  # fmt: skip
DEFAULT_QUASI_IDENTIFIERS: tuple[str, ...] = PERSON_QUASI_IDENTIFIERS + PLACE_QUASI_IDENTIFIERS
_PLACES = frozenset(normalize_header(name) for name in PLACE_QUASI_IDENTIFIERS)


def smallest_group_size(
    csv_path: Path,
    quasi_identifiers: Sequence[str],
    *,
    holds_personal_data: bool = True,
    places: Sequence[str] = (),
) -> int | None:
    """Return the size of the smallest group of rows sharing the same quasi-identifier values.

    The result is the table's k (k-anonymity). Streams the file; memory grows with the number
    of distinct combinations, not rows. Returns None when no quasi-identifier is present in the
    header or the file has no data rows, and when the table is not about persons: it held no
    personal data (``holds_personal_data``) and its only quasi-identifiers are places.
    ``places`` names more place columns by their exact name: addresses generalized to their
    ward and coordinates rounded (``generalized_places``). Values are compared after trimming
    spaces; a place is compared as the current unit it names when the reference catalogue
    knows it (issue 22), so "P. Bến Nghé" and "Phường Sài Gòn" are one group, as the
    generalized addresses are.
    """
    wanted = {normalize_header(name) for name in quasi_identifiers}
    extra = set(places)
    with csv_path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, [])
        indexes = [
            i for i, name in enumerate(header) if normalize_header(name) in wanted or name in extra
        ]
        if not indexes:
            return None
        present = {normalize_header(header[i]) for i in indexes if header[i] not in extra}
        if not holds_personal_data and present <= _PLACES:
            return None
        place_cells = {
            i for i in indexes if header[i] in extra or normalize_header(header[i]) in _PLACES
        }
        groups: Counter[tuple[str, ...]] = Counter()
        for row in reader:
            groups[tuple(row[i].strip() if i < len(row) else "" for i in indexes)] += 1
    if place_cells:
        groups = _by_current_unit(groups, [n in place_cells for n in indexes])
    return min(groups.values()) if groups else None


def generalized_places(decisions: Sequence[ColumnDecision]) -> list[str]:
    """The columns the decisions turn into places: addresses generalized to their ward,
    coordinates rounded (quasi-identifiers of the public file like a ward column)."""
    return [
        d.column
        for d in decisions
        if d.action is Action.GENERALIZE and d.kind in (K.ADDRESS, K.LOCATION)
    ]


def _by_current_unit(
    groups: Counter[tuple[str, ...]], is_place: list[bool]
) -> Counter[tuple[str, ...]]:
    """The groups again, with each place read as the current unit it names (when known)."""
    merged: Counter[tuple[str, ...]] = Counter()
    for key, count in groups.items():
        merged[tuple(_unit_key(v) if p else v for v, p in zip(key, is_place, strict=True))] += count
    return merged


@lru_cache(maxsize=8192)
def _unit_key(value: str) -> str:
    if not value:
        return value
    from datasets.places import place_catalogue

    found = place_catalogue().match(value, province_code="79")
    if found is None or found.unit is None or len(found.current) != 1:
        return value
    return "unit:" + found.current[0].key
