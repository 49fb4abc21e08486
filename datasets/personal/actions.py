"""Apply the decided action to each personal-data column and write the public copy of a CSV."""

from __future__ import annotations

import codecs
import csv
import hashlib
import hmac
import os
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from datasets.personal.detectors import Finding
from datasets.personal.errors import InvalidDecision, MalformedTable, UnresolvedFinding
from datasets.personal.freetext import find_in_text
from datasets.personal.headers import fold
from datasets.personal.kinds import PersonalDataKind
from datasets.personal.matchers import (
    canonical_citizen_id,
    canonical_phone,
    digits_only,
    is_age,
    parse_date,
)

K = PersonalDataKind


class Action(StrEnum):
    """What happens to a personal-data column on its way to the public file."""

    DROP = "drop"  # remove the column
    MASK = "mask"  # keep a harmless part (last 3 characters, e-mail domain, initials)
    HASH = "hash"  # keyed HMAC-SHA256, hex: stable, so joins on the column still work
    GENERALIZE = "generalize"  # date → year, age → 10-year band, address → current ward
    REDACT = "redact"  # free text: each value found inside the text becomes a placeholder
    KEEP = "keep"  # publish as is; needs a written justification


# ``ColumnDecision.decided_by`` of a decision the organization's policy proposed.
BY_POLICY = "policy"


@dataclass(frozen=True)
class ColumnDecision:
    """The action chosen for one column; ``justification`` is required for KEEP.

    ``decided_by`` is the deciding user's id, ``BY_POLICY`` for a decision the policy
    proposed, or empty for one not recorded yet.
    """

    column: str
    kind: str
    action: Action
    justification: str = ""
    decided_by: str = ""

    @property
    def by_policy(self) -> bool:
        """Whether the organization's policy proposed this decision (no person made it)."""
        return self.decided_by == BY_POLICY

    def to_json(self) -> dict[str, str]:
        """Return the decision as stored (``ResourceVersion.decisions``): plain JSON data."""
        return {
            "column": self.column,
            "kind": str(self.kind),
            "action": self.action.value,
            "justification": self.justification,
            "decided_by": self.decided_by,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ColumnDecision:
        """Rebuild a decision stored with ``to_json``.

        Raises ValueError for an action that is not an ``Action``.
        """
        return cls(
            column=str(data["column"]),
            kind=str(data.get("kind", "")),
            action=Action(data["action"]),
            justification=str(data.get("justification", "")),
            decided_by=str(data.get("decided_by") or ""),
        )


@dataclass(frozen=True)
class StripResult:
    """What ``apply_actions`` wrote: the public header, row count and changed cells."""

    header: tuple[str, ...]
    rows: int
    dropped: tuple[str, ...]
    changed_cells: int


REDACTION_LABELS: dict[str, str] = {
    K.PHONE: "[số điện thoại]",
    K.EMAIL: "[email]",
    K.CITIZEN_ID: "[số CCCD]",
    K.ID_CARD: "[số CMND]",
    K.HEALTH_INSURANCE: "[mã thẻ BHYT]",
    K.LICENCE_PLATE: "[biển số xe]",
    K.PERSON_NAME: "[họ tên]",
    K.DATE_OF_BIRTH: "[ngày sinh]",
}
GENERALIZABLE = frozenset({K.DATE_OF_BIRTH, K.ADDRESS, K.LOCATION})
MASK_KEEP = 3
_AREA_START = re.compile(
    r"^(?:phuong|xa|thi tran|p\.|x\.|quan|huyen|q\.|h\.|thanh pho|tp\b|thi xa)"
)
_AREA_INLINE = re.compile(r"\b(?:Phường|Xã|Thị trấn|P\.|X\.|Quận|Huyện|Q\.|H\.)", re.IGNORECASE)
_DECIMAL = re.compile(r"-?\d+\.\d+")


def mask_value(value: str, kind: str = "") -> str:
    """Return ``value`` with all but a harmless part replaced by ``*``.

    E-mail keeps its domain (``***@gmail.com``), a name its initials (``N. V. A.``), anything
    else its last 3 letters or digits (``*********123``); separators stay in place. Values
    with 4 characters or fewer are masked entirely.
    """
    if kind == K.EMAIL and "@" in value:
        return "***@" + value.rsplit("@", 1)[1]
    if kind == K.PERSON_NAME:
        return " ".join(f"{word[0]}." for word in value.split())
    alnum = sum(1 for ch in value if ch.isalnum())
    keep = MASK_KEEP if alnum > MASK_KEEP + 1 else 0
    out, seen = [], 0
    for ch in value:
        if ch.isalnum():
            seen += 1
            out.append(ch if seen > alnum - keep else "*")
        else:
            out.append(ch)
    return "".join(out)


def canonical_value(value: str, kind: str) -> str:
    """Return the form of ``value`` that is hashed, so equal values written differently match."""
    text = unicodedata.normalize("NFC", value.strip())
    if kind == K.PHONE:
        return canonical_phone(text) or digits_only(text)
    if kind in (K.CITIZEN_ID, K.TAX_CODE):
        return canonical_citizen_id(text) if "-" not in text else text.replace(" ", "")
    if kind in (K.ID_CARD, K.SOCIAL_INSURANCE, K.BANK_ACCOUNT):
        return digits_only(text)
    if kind in (K.HEALTH_INSURANCE, K.LICENCE_PLATE, K.PASSPORT):
        return digits_only(text).upper()
    if kind == K.EMAIL:
        return text.lower()
    return " ".join(text.split())


def hash_value(value: str, kind: str, key: bytes) -> str:
    """Return the hex HMAC-SHA256 of the canonical value under ``key`` (64 characters)."""
    return hmac.new(key, canonical_value(value, kind).encode("utf-8"), hashlib.sha256).hexdigest()


def _generalize_date(value: str) -> str:
    if re.fullmatch(r"(?:19|20)\d{2}", value):
        return value
    parsed = parse_date(value)
    if parsed is not None:
        return str(parsed.year)
    if is_age(value):
        low = int(value) // 10 * 10
        return f"{low}-{low + 9}"
    return ""


def _generalize_address(value: str) -> str:
    """The current ward or commune the address names and its province (an old ward gives
    the current one it became); for an address naming none the reference catalogue knows,
    the parts that start with a unit's prefix, as written."""
    from datasets.place_text import generalized_address  # it imports this package's headers

    unit = generalized_address(value)
    if unit is not None:
        return unit
    parts = [part.strip() for part in value.split(",")]
    kept = [part for part in parts if _AREA_START.match(fold(part).lower())]
    if kept:
        return ", ".join(kept)
    match = _AREA_INLINE.search(value)
    return value[match.start() :].strip() if match else ""


def _generalize_location(value: str) -> str:
    numbers = _DECIMAL.findall(value)
    return ", ".join(f"{round(float(n), 2):.2f}" for n in numbers)


def generalize_value(value: str, kind: str) -> str:
    """Return a coarser value: a date or age → year or 10-year band (``30-39``), an address →
    its current ward or commune and province (``Phường Bến Thành, Thành phố Hồ Chí Minh``),
    coordinates → rounded to 2 decimals (about 1 km: the portal holds no unit boundaries).

    Returns an empty string when nothing coarse can be kept safely.
    Raises InvalidDecision for a kind that cannot be generalized.
    """
    if kind == K.DATE_OF_BIRTH:
        return _generalize_date(value.strip())
    if kind == K.ADDRESS:
        return _generalize_address(value)
    if kind == K.LOCATION:
        return _generalize_location(value)
    raise InvalidDecision(f"cannot generalize values of kind {kind!r}")


def columns_emptied(
    csv_path: Path, decisions: Sequence[ColumnDecision], *, rows: int = 2000
) -> list[str]:
    """Return the columns that ``decisions`` would leave entirely empty, read on the first
    ``rows`` rows of ``csv_path`` (UTF-8): a column with values whose every value
    generalizes to nothing (a street address with no ward or district). Only generalizing
    can empty a cell; dropping a column is not emptying it.
    """
    wanted = {
        d.column: d.kind
        for d in decisions
        if d.action is Action.GENERALIZE and d.kind in GENERALIZABLE
    }
    if not wanted:
        return []
    kept: dict[str, bool] = dict.fromkeys(wanted, False)
    seen: dict[str, bool] = dict.fromkeys(wanted, False)
    with csv_path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, [])
        columns = [(i, name) for i, name in enumerate(header) if name in wanted]
        for n, row in enumerate(reader):
            if n >= rows:
                break
            for i, name in columns:
                cell = row[i].strip() if i < len(row) else ""
                if cell and not kept[name]:
                    seen[name] = True
                    kept[name] = bool(generalize_value(cell, wanted[name]))
    return [name for name in wanted if seen[name] and not kept[name]]


def redact_text(text: str) -> str:
    """Return ``text`` with each personal value inside replaced by a placeholder.

    The placeholder names the kind (``[số điện thoại]``), or ``[<kind>]`` for other kinds.
    """
    out, last = [], 0
    for kind, start, end in find_in_text(text):
        out.append(text[last:start])
        out.append(REDACTION_LABELS.get(kind, f"[{kind}]"))
        last = end
    out.append(text[last:])
    return "".join(out)


def _check_decisions(
    decisions: Sequence[ColumnDecision], findings: Sequence[Finding], header: Sequence[str]
) -> dict[str, ColumnDecision]:
    by_column: dict[str, ColumnDecision] = {}
    for decision in decisions:
        if decision.column in by_column:
            raise InvalidDecision(f"two decisions for column {decision.column!r}")
        if decision.column not in header:
            raise InvalidDecision(f"no column {decision.column!r} in the table")
        if decision.action is Action.KEEP and not decision.justification.strip():
            raise InvalidDecision(f"keeping column {decision.column!r} needs a justification")
        if decision.action is Action.GENERALIZE and decision.kind not in GENERALIZABLE:
            raise InvalidDecision(f"cannot generalize column {decision.column!r}")
        by_column[decision.column] = decision
    undecided = [f.column for f in findings if f.column not in by_column]
    if undecided:
        raise UnresolvedFinding(sorted(set(undecided), key=undecided.index))
    return by_column


def _transformer(decision: ColumnDecision, hash_key: bytes) -> Callable[[str], str]:
    kind = decision.kind
    if decision.action is Action.MASK:
        return lambda v: mask_value(v, kind)
    if decision.action is Action.HASH:
        if not hash_key:
            raise InvalidDecision("hashing needs a non-empty key")
        return lambda v: hash_value(v, kind, hash_key)
    if decision.action is Action.GENERALIZE:
        return lambda v: generalize_value(v, kind)
    if decision.action is Action.REDACT:
        return redact_text
    return _keep


def _keep(value: str) -> str:  # the transformer of KEEP: compared by identity
    return value


def _starts_plain(path: Path) -> bool:
    """True when the file does not start with a byte-order mark (the reader drops one)."""
    with path.open("rb") as handle:
        return not handle.read(3).startswith(codecs.BOM_UTF8)


def _copy_lines(src: Path, dst: Path) -> int:
    """Copy ``src`` to ``dst`` with ``\r\n`` line ends (``csv.writer``'s); return the number
    of lines after the header. Only for a file whose lines are whole rows (see
    ``apply_actions``): the writer would write each parsed line back as it was, only its
    line end differing (issue 24: one pass over bytes instead of a CSV read and write)."""
    lines = 0
    with src.open("rb") as source, dst.open("wb") as target:
        while chunk := source.read(1 << 20):
            lines += chunk.count(b"\n")
            target.write(chunk.replace(b"\n", b"\r\n"))
    return max(lines - 1, 0)


def apply_actions(
    src_csv: Path,
    dst_csv: Path,
    decisions: Sequence[ColumnDecision],
    findings: Sequence[Finding],
    *,
    hash_key: bytes,
    lines_are_rows: bool = False,
) -> StripResult:
    """Write to ``dst_csv`` the public copy of ``src_csv`` with every decision applied.

    Streams row by row (memory does not grow with the file); reads UTF-8 (BOM accepted) and
    writes UTF-8. Empty cells stay empty. ``dst_csv`` appears only when complete.
    ``lines_are_rows``: the caller knows that ``src_csv`` was written by ``csv.writer`` with
    ``\n`` line ends, one row of the header's width per line (``NormalizedTable``); when no
    column changes, the copy then goes by lines, byte for byte what the row loop writes.
    Raises UnresolvedFinding when a finding has no decision, InvalidDecision for a KEEP
    without justification (or a decision that cannot apply), MalformedTable for a row longer
    than the header.
    """
    partial = dst_csv.with_name(dst_csv.name + ".partial")
    try:
        with src_csv.open(encoding="utf-8-sig", newline="") as src:
            reader = csv.reader(src)
            header = next(reader, [])
            by_column = _check_decisions(decisions, findings, header)
            plan = [
                (i, _transformer(by_column[name], hash_key) if name in by_column else None)
                for i, name in enumerate(header)
                if name not in by_column or by_column[name].action is not Action.DROP
            ]
            out_header = [header[i] for i, _ in plan]
            unchanged = out_header == header and all(t in (None, _keep) for _, t in plan)
            if lines_are_rows and unchanged and _starts_plain(src_csv):
                rows, changed = _copy_lines(src_csv, partial), 0
            else:
                rows, changed = _write_rows(reader, partial, len(header), out_header, plan)
        os.replace(partial, dst_csv)
    finally:
        partial.unlink(missing_ok=True)
    dropped = tuple(name for name in header if name not in out_header)
    return StripResult(tuple(out_header), rows, dropped, changed)


def _write_rows(
    reader: Iterator[list[str]],
    partial: Path,
    width: int,
    out_header: list[str],
    plan: list[tuple[int, Callable[[str], str] | None]],
) -> tuple[int, int]:
    """Write the header and every row of ``reader`` by ``plan``; return (rows, cells changed)."""
    rows = changed = 0
    with partial.open("w", encoding="utf-8", newline="") as dst:
        writer = csv.writer(dst)
        writer.writerow(out_header)
        for line, row in enumerate(reader, start=2):
            if len(row) > width:
                raise MalformedTable(f"row {line} has more cells than the header")
            out = []
            for i, transform in plan:
                cell = row[i] if i < len(row) else ""
                new = transform(cell) if transform and cell.strip() else cell
                changed += new != cell
                out.append(new)
            writer.writerow(out)
            rows += 1
    return rows, changed
