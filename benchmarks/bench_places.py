"""Place matching benchmark (issue 22): ``PlaceCatalogue.match`` against the reference tool,
``vietnamadminunits.parse_address`` (its LEGACY mode for old names, FROM_2025 for current).

Both read the same spellings of the city's units, old and new, in the shapes agency files
use (full names, no accents, abbreviations, with the old district and the province). The
script prints, for each, the share of texts resolved to the expected official code, the
time per text, the ratio, and the load average (the machine is shared).

    .venv/bin/python benchmarks/bench_places.py [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from datasets.places import CITY_CODE, Unit, fold_key, place_catalogue


def _spellings(unit: Unit, district: str | None) -> list[str]:
    """Texts naming ``unit`` as files write it (the province always given for the tool)."""
    tail = f", {district}, Hồ Chí Minh" if district else ", Hồ Chí Minh"
    plain = fold_key(unit.name).title()
    short = unit.name.replace("Phường ", "P. ").replace("Xã ", "X. ")
    return [unit.name + tail, plain + tail, short + tail]


def _cases() -> list[tuple[str, str, str]]:
    """(text, expected label, generation) for the city's current and old ward-level units.

    Answers are compared by name and old district, not by code: the two packages disagree
    on the codes of some current units (README "Places").
    """
    catalogue = place_catalogue()
    cases = []
    for unit in catalogue.current_units(CITY_CODE):
        cases += [(t, unit.name, "2025") for t in _spellings(unit, None)]
    for unit in catalogue.old_units(CITY_CODE):
        if unit.province_code != CITY_CODE or unit.district_code is None:
            continue
        district = catalogue.unit(unit.district_code, "old")
        name = district.name if district else None
        cases += [(t, f"{unit.name}, {name}", "old") for t in _spellings(unit, name)]
    return cases


def _ours(text: str, generation: str) -> str | None:
    found = place_catalogue().match(text, province_code=CITY_CODE)
    if found is None or found.unit is None or found.unit.generation != generation:
        return None
    return place_catalogue().label(found.unit)


def _reference() -> Callable[[str, str], str | None]:
    from vietnamadminunits import ParseMode, parse_address

    def parse(text: str, generation: str) -> str | None:
        mode = ParseMode.FROM_2025 if generation == "2025" else ParseMode.LEGACY
        try:
            unit = parse_address(text, mode=mode, level=2 if generation == "2025" else 3)
        except Exception:  # the tool raises on texts it cannot read
            return None
        if not unit.ward:
            return None
        return f"{unit.ward}, {unit.district}" if generation == "old" else str(unit.ward)

    return parse


def _run(name: str, fn: Callable[[str, str], str | None], cases: list, repeat: int) -> float:
    right = 0
    started = time.perf_counter()
    for _ in range(repeat):
        right = sum(fn(text, generation) == code for text, code, generation in cases)
    per_text = (time.perf_counter() - started) / (repeat * len(cases))
    print(f"{name:28s} right {right}/{len(cases)} ({right / len(cases):.1%}), "
          f"{per_text * 1e6:.0f} µs per text")  # fmt: skip
    return per_text


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    started = time.perf_counter()
    place_catalogue()
    print(f"catalogue built in {time.perf_counter() - started:.2f} s")
    cases = _cases()
    print(f"{len(cases)} texts ({sum(c[2] == 'old' for c in cases)} of old units)")
    ours = _run("portal PlaceCatalogue.match", _ours, cases, args.repeat)
    theirs = _run("vietnamadminunits 1.0.4", _reference(), cases, args.repeat)
    print(f"ratio (reference time / portal time): {theirs / ours:.1f}")
    print("load average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
