"""Add the current unit's code and name next to a recognized place column, in one step.

The publisher asks for it on the management page (or the REST API); ``unit_codes_change``
is the change ``DatasetEditor.add_unit_codes`` applies to the working version: two text
fields after the column in its Table Schema, and an entry in the schema's ``unitColumns``
(a custom property Table Schema allows and Frictionless keeps). Processing then writes the
two columns into the normalized table (``add_unit_columns``) before validating it, so they
are validated, scanned and published like any other column. Reading the original again
(another encoding or sheet) infers a new schema, without them.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from datasets.model import ResourceVersion
from datasets.place_columns import COMMUNE, DISTRICT, PROVINCE, header_level, match_unit
from datasets.validation_report import ValidationReport
from publishers import InvalidInput

UNIT_COLUMNS = "unitColumns"  # the schema property listing the added columns
CODE_SUFFIX, NAME_SUFFIX = "_ma_dvhc", "_ten_dvhc"
_CACHE = 50_000  # distinct values remembered while writing a table
_LEVEL_WORDS = {
    PROVINCE: ("tỉnh, thành phố", "province"),
    COMMUNE: ("phường, xã, đặc khu", "ward or commune"),
}


def unit_codes_change(column: str) -> Any:
    """The change adding ``column``'s current unit code and name after it (a ``VersionChange``).

    Raises ``InvalidInput`` (when applied) unless the column is a recognized province, ward
    or commune column of the table (an abolished district became many units: no one code),
    or when the two columns exist already.
    """

    def apply(version: ResourceVersion) -> None:
        report = ValidationReport.from_json(version.validation) if version.validation else None
        place = report.place_column(column) if report is not None else None
        if not version.is_tabular or place is None or place.level not in _LEVEL_WORDS:
            raise InvalidInput("not a place column", {"column": ["not_a_place_column"]})
        schema = dict(version.table_schema or {})
        fields = [dict(f) for f in schema.get("fields", [])]
        names = [str(f.get("name", "")) for f in fields]
        code, name = column + CODE_SUFFIX, column + NAME_SUFFIX
        if column not in names:
            raise InvalidInput("not a place column", {"column": ["not_a_place_column"]})
        if code in names or name in names:
            raise InvalidInput("columns exist", {"column": ["unit_columns_exist"]})
        words_vi, words_en = _LEVEL_WORDS[place.level]
        added = [
            {
                "name": code,
                "type": "string",
                "title": f"Mã {words_vi} hiện hành ({column})",
                "title_en": f"Current {words_en} code ({column})",
            },
            {
                "name": name,
                "type": "string",
                "title": f"Tên {words_vi} hiện hành ({column})",
                "title_en": f"Current {words_en} name ({column})",
            },
        ]
        at = names.index(column) + 1
        schema["fields"] = fields[:at] + added + fields[at:]
        entry = {"source": column, "code": code, "name": name, "level": place.level}
        schema[UNIT_COLUMNS] = [*schema.get(UNIT_COLUMNS, []), entry]
        version.table_schema = schema

    return apply


def added_unit_columns(schema: Mapping[str, Any] | None) -> list[dict[str, str]]:
    """The entries of the schema's ``unitColumns`` (source, code and name columns, level)."""
    entries = (schema or {}).get(UNIT_COLUMNS) or []
    return [
        {k: str(e.get(k, "")) for k in ("source", "code", "name", "level")}
        for e in entries
        if isinstance(e, Mapping) and e.get("source")
    ]


def add_unit_columns(normalized: Path, schema: Mapping[str, Any] | None) -> None:
    """Rewrite the normalized CSV with the columns the schema's ``unitColumns`` add.

    Each added pair goes after its source column (as in the schema); a value naming no
    unit, or an old unit that became several, leaves both cells empty. Streams the file; a
    source column missing from the table adds nothing.
    """
    entries = added_unit_columns(schema)
    if not entries:
        return
    from datasets.places import place_catalogue

    catalogue = place_catalogue()
    partial = normalized.with_name(normalized.name + ".units")
    try:
        with (
            normalized.open(encoding="utf-8-sig", newline="") as src,
            partial.open("w", encoding="utf-8", newline="") as dst,
        ):
            reader, writer = csv.reader(src), csv.writer(dst)
            header = next(reader, [])
            present = [e for e in entries if e["source"] in header and e["code"] not in header]
            if not present:
                return
            context = _context(header)
            plan = {header.index(e["source"]): e for e in present}
            cache: dict[tuple[str, ...], tuple[str, str]] = {}

            def added(row: list[str], index: int) -> tuple[str, str]:
                key = tuple(row[i].strip() if i >= 0 else "" for i in (index, *context))
                key += (plan[index]["level"] or COMMUNE,)
                if key not in cache:
                    if len(cache) >= _CACHE:
                        cache.clear()
                    cache[key] = _current(catalogue, *key)
                return cache[key]

            writer.writerow(
                _insert(header, plan, lambda _row, i: (plan[i]["code"], plan[i]["name"]))
            )
            width = len(header)
            for row in reader:
                if len(row) < width:
                    row += [""] * (width - len(row))
                writer.writerow(_insert(row, plan, added))
        os.replace(partial, normalized)
    finally:
        partial.unlink(missing_ok=True)


def _insert(
    row: list[str],
    plan: Mapping[int, Any],
    cells: Callable[[list[str], int], tuple[str, str]],
) -> list[str]:
    """The row with the two cells of each planned column inserted after its source."""
    out: list[str] = []
    for index, cell in enumerate(row):
        out.append(cell)
        if index in plan:
            out.extend(cells(row, index))
    return out


def _context(header: list[str]) -> tuple[int, int]:
    """The indexes of the district and province name columns (-1: none)."""
    found = {DISTRICT: -1, PROVINCE: -1}
    for index, name in enumerate(header):
        level = header_level(name)
        if level is not None and not level[1] and found.get(level[0]) == -1:
            found[level[0]] = index
    return found[DISTRICT], found[PROVINCE]


def _current(
    catalogue: Any, value: str, district: str, province: str, level: str
) -> tuple[str, str]:
    if not value:
        return "", ""
    if level == PROVINCE:
        district = province = ""
    found = match_unit(catalogue, value, district, province, level)
    if found is None or found.unit is None:
        return "", ""
    units = found.current if found.obsolete else (found.unit,)
    if len(units) != 1:
        return "", ""
    return units[0].code, units[0].name
