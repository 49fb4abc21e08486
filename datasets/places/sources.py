"""Reading the two reference packages into units and the old → new mapping.

* ``vietnam-provinces`` (MIT, data from the General Statistics Office's list of the units in
  force since 1 July 2025): the 34 provinces and their 3,321 communes, wards and special
  zones, with codes. It holds nothing of the previous generation.
* ``vietnamadminunits`` (data files only): the 63 provinces, 696 districts and 10,040
  communes and wards before the reorganization (``admin_units_legacy`` of its SQLite file),
  the current units with the keys its converter uses (``admin_units``), and the converter's
  table of which old units became which new ones (``converter_2025.json``). A ward split
  between several new ones lists them all, one flagged as the default (where most of it
  went). Its Python modules are never imported: they geocode through the network.

Both are read from their installed files; nothing is fetched.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sqlite3
from collections import defaultdict
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass, replace
from importlib import metadata
from pathlib import Path
from typing import Any

from datasets.places.units import CURRENT, OLD, Unit, fold_key

_SPACES = re.compile(r"\s+")
_BOUNDS = re.compile(r"(-?\d+(?:\.\d+)?),\s*(-?\d+(?:\.\d+)?)")

# The type word each name starts with → (level, kind); longest first.
_KINDS = (
    ("Thành phố", "city"),
    ("Thị trấn", "township"),
    ("Thị xã", "district"),
    ("Đặc khu", "special_zone"),
    ("Phường", "ward"),
    ("Quận", "district"),
    ("Huyện", "district"),
    ("Tỉnh", "province"),
    ("Xã", "commune"),
)


@dataclass(frozen=True)
class SourceData:
    """Every unit of both generations and the mapping from old keys to current keys."""

    units: tuple[Unit, ...]
    successors: dict[str, tuple[str, ...]]
    versions: dict[str, str]


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"the reference package {name} is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def _clean(name: str) -> str:
    return _SPACES.sub(" ", name).strip()


def _split_kind(name: str) -> tuple[str, str]:
    """Return (type word, rest) of an official name: "Phường Bến Thành" → ("Phường", ...)."""
    for kind, _level in _KINDS:
        if name.startswith(kind + " "):
            return kind, name[len(kind) + 1 :]
    return "", name


def _short(name: str) -> str:
    _kind, rest = _split_kind(name)
    # "Phường 1" stays whole: "1" alone names nothing.
    return name if rest.isdigit() else rest


def _unit(code: str, name: str, level: str, province: str, generation: str, **extra: Any) -> Unit:
    kind, _rest = _split_kind(name)
    return Unit(code, name, _short(name), level, province, generation, kind=kind, **extra)


_CURRENT_LEVELS = {"phường": "ward", "xã": "commune", "đặc khu": "special_zone"}


def _current_units() -> Iterable[Unit]:
    path = _package_dir("vietnam_provinces") / "data" / "nested-divisions.json"
    for province in json.loads(path.read_text(encoding="utf-8")):
        name = _clean(province["name"])
        if not name.startswith(("Thành phố ", "Tỉnh ")):
            name = "Tỉnh " + name
        code = f"{province['code']:02d}"
        yield _unit(code, name, "province", code, CURRENT)
        for ward in province["wards"]:
            level = _CURRENT_LEVELS[ward["division_type"]]
            yield _unit(f"{ward['code']:05d}", _clean(ward["name"]), level, code, CURRENT)


def _old_level(kind: str) -> str:
    return {"Phường": "ward", "Xã": "commune", "Thị trấn": "township"}.get(kind, "district")


def _legacy_rows(db: sqlite3.Connection) -> list[sqlite3.Row]:
    return db.execute(
        "SELECT province, provinceCode, provinceKey, district, districtCode, districtKey,"
        " ward, wardCode, wardKey, wardType, provinceLat, provinceLon, provinceBounds,"
        " districtLat, districtLon, districtBounds, wardLat, wardLon, wardBounds"
        " FROM admin_units_legacy"
    ).fetchall()


def _old_units(rows: list[sqlite3.Row]) -> Iterable[Unit]:
    seen: set[str] = set()
    for row in rows:
        province = row["provinceCode"]
        if "p" + province not in seen:
            seen.add("p" + province)
            yield _unit(
                province,
                _clean(row["province"]),
                "province",
                province,
                OLD,
                **_geo(row, "province"),
            )
        district = row["districtCode"]
        if "d" + district not in seen:
            seen.add("d" + district)
            yield _unit(
                district,
                _clean(row["district"]),
                "district",
                province,
                OLD,
                **_geo(row, "district"),
            )
        if row["wardCode"] and "w" + row["wardCode"] not in seen:
            seen.add("w" + row["wardCode"])
            level = _old_level(row["wardType"])
            name = _clean(row["ward"])
            yield _unit(
                row["wardCode"],
                name,
                level,
                province,
                OLD,
                district_code=district,
                **_geo(row, "ward"),
            )


def _bounds(text: str | None) -> tuple[float, float, float, float] | None:
    """(south, west, north, east) of the source's "s,w – n,e", or None."""
    corners = _BOUNDS.findall(text or "")
    if len(corners) != 2:
        return None
    (south, west), (north, east) = ((float(a), float(b)) for a, b in corners)
    return (south, west, north, east)


def _geo(row: sqlite3.Row, level: str) -> dict[str, Any]:
    lat, lon = row[level + "Lat"], row[level + "Lon"]
    centroid = (float(lat), float(lon)) if lat is not None and lon is not None else None
    return {"centroid": centroid, "bbox": _bounds(row[level + "Bounds"])}


def _with_geometry(
    units: tuple[Unit, ...], db: sqlite3.Connection, rows: list[sqlite3.Row], converter: Any
) -> tuple[Unit, ...]:
    """Current units with the centres the second package gives (joined on province and name)
    and, for a province, the box around the old provinces it was made of."""
    points: dict[tuple[str, str], tuple[float, float]] = {}
    province_key = {}
    query = "SELECT provinceCode, ward, wardLat, wardLon, provinceLat, provinceLon, provinceKey"
    for code, ward, lat, lon, plat, plon, pkey in db.execute(query + " FROM admin_units"):
        points[(code, _name_key(ward))] = (lat, lon)
        points[(code, "")] = (plat, plon)
        province_key[pkey] = code
    old_bounds = {r["provinceKey"]: _bounds(r["provinceBounds"]) for r in rows}
    boxes: dict[str, tuple[float, float, float, float]] = {}
    for new_key, old_keys in converter["DICT_PROVINCE"].items():
        parts = [b for b in (old_bounds.get(k) for k in old_keys) if b is not None]
        if parts and new_key in province_key:
            boxes[province_key[new_key]] = (
                min(p[0] for p in parts),
                min(p[1] for p in parts),
                max(p[2] for p in parts),
                max(p[3] for p in parts),
            )
    out = []
    for unit in units:
        if unit.level == "province":
            point = points.get((unit.code, ""))
            out.append(replace(unit, centroid=point, bbox=boxes.get(unit.code)))
        else:
            out.append(
                replace(unit, centroid=points.get((unit.province_code, _name_key(unit.name))))
            )
    return tuple(out)


def _name_key(name: str) -> str:
    return fold_key(name).replace(" ", "")


def _successors(
    db: sqlite3.Connection,
    rows: list[sqlite3.Row],
    converter: dict[str, Any],
    current: dict[tuple[str, str], str],
) -> dict[str, tuple[str, ...]]:
    """Map each old unit's key to the keys of the current units it became (default first)."""
    new_province = {
        r[0]: r[1] for r in db.execute("SELECT provinceKey, provinceCode FROM admin_units")
    }
    # The two packages disagree on the codes of about a hundred current units (this one
    # kept codes of a draft list); join on the province and the folded name instead and
    # keep ``vietnam-provinces``' codes, the statistics office's final list.
    new_ward = {
        (r[0], r[1]): current.get((r[2], _name_key(r[3])))
        for r in db.execute("SELECT provinceKey, wardKey, provinceCode, ward FROM admin_units")
    }
    old_province = {r["provinceKey"]: r["provinceCode"] for r in rows}
    old_ward = {
        f"{r['provinceKey']}_{r['districtKey']}_{r['wardKey'] or ''}": (
            r["wardCode"] or None,
            r["districtCode"],
        )
        for r in rows
    }
    result: dict[str, list[str]] = defaultdict(list)

    def add(old: str, new: str | None) -> None:
        if new is not None and new not in result[old]:
            result[old].append(new)

    for new_key, old_keys in converter["DICT_PROVINCE"].items():
        for old_key in old_keys:
            add("old-" + old_province[old_key], new_province.get(new_key))
    for new_prov, wards in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for new_key, old_keys in wards.items():
            for old_key in old_keys:
                _map_ward(add, old_ward.get(old_key), new_ward.get((new_prov, new_key)))
    for new_prov, divided in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old_key, targets in divided.items():
            ordered = sorted(targets, key=lambda t: not t["isDefaultNewWard"])
            for target in ordered:
                new = new_ward.get((new_prov, target["newWardKey"]))
                _map_ward(add, old_ward.get(old_key), new)
    # A district became whatever its communes and wards became, most frequent first.
    district_of = {r["wardCode"]: r["districtCode"] for r in rows if r["wardCode"]}
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for old, news in list(result.items()):
        ward_code = old.removeprefix("old-")
        if len(ward_code) == 5 and ward_code in district_of:
            for new in news:
                counts[district_of[ward_code]][new] += 1
    for district, tally in counts.items():
        for new in sorted(tally, key=lambda n: (-tally[n], n)):
            add("old-" + district, new)
    return {old: tuple(news) for old, news in result.items()}


def _map_ward(add: Any, old: tuple[str | None, str] | None, new: str | None) -> None:
    if old is None or new is None:
        return
    ward_code, district_code = old
    # Islands without communes (Côn Đảo, Lý Sơn...) map their district to a special zone.
    add("old-" + (ward_code or district_code), new)


def load_sources() -> SourceData:
    """Read both packages' files into ``SourceData`` (a few hundred milliseconds)."""
    base = _package_dir("vietnamadminunits") / "data"
    converter = json.loads((base / "converter_2025.json").read_text(encoding="utf-8"))
    with closing(sqlite3.connect(f"file:{base / 'dataset.db'}?mode=ro", uri=True)) as db:
        db.row_factory = sqlite3.Row
        rows = _legacy_rows(db)
        current_units = _with_geometry(tuple(_current_units()), db, rows, converter)
        by_name = {
            (u.province_code, _name_key(u.name)): u.code
            for u in current_units
            if u.level != "province"
        }
        successors = _successors(db, rows, converter, by_name)
    units = (*current_units, *_old_units(rows))
    versions = {name: metadata.version(name) for name in ("vietnam-provinces", "vietnamadminunits")}
    return SourceData(units, successors, versions)
