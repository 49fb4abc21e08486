"""Re-identification check: k-anonymity over the quasi-identifiers left in a public file."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from datasets.personal.headers import normalize_header

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
    csv_path: Path, quasi_identifiers: Sequence[str], *, holds_personal_data: bool = True
) -> int | None:
    """Return the size of the smallest group of rows sharing the same quasi-identifier values.

    The result is the table's k (k-anonymity). Streams the file; memory grows with the number
    of distinct combinations, not rows. Returns None when no quasi-identifier is present in the
    header or the file has no data rows, and when the table is not about persons: it held no
    personal data (``holds_personal_data``) and its only quasi-identifiers are places. Values
    are compared after trimming spaces.
    """
    wanted = {normalize_header(name) for name in quasi_identifiers}
    with csv_path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, [])
        indexes = [i for i, name in enumerate(header) if normalize_header(name) in wanted]
        if not indexes:
            return None
        present = {normalize_header(header[i]) for i in indexes}
        if not holds_personal_data and present <= _PLACES:
            return None
        groups: Counter[tuple[str, ...]] = Counter()
        for row in reader:
            groups[tuple(row[i].strip() if i < len(row) else "" for i in indexes)] += 1
    return min(groups.values()) if groups else None
