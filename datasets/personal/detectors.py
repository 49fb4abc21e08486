"""Find columns holding personal data, by header and by content.

Every row is read (``scanner.TableScanner``, in batches, counters and a bounded sample per
column). Each column gets a header reading (``headers.classify_header``) and the share of its
values that could hold data (placeholders do not count) matching each kind: counted over every
row for values whose structure proves their kind (citizen IDs, phones, e-mails, health cards,
plates), on the sample for names, addresses and birth dates. The score is
``share × (1 + header_strength / 2)`` (the csv-detective scheme); structured values make a
finding from a small floor, the others from 0.5. Kinds that values alone cannot tell (old ID
cards, insurance and bank numbers, sensitive categories) need a header. Table context: an
organisation's contact details and enterprise tax codes get a "keep" *proposal* (a rule always
wins over it); ethnicity, religion and coordinates are personal only in a table about people.
"""

from __future__ import annotations

import csv
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from datasets.personal.freetext import find_in_text
from datasets.personal.headers import HeaderInfo, HeaderRole, classify_header
from datasets.personal.kinds import CURRENT_CATEGORIES, LegalCategories, PersonalDataKind
from datasets.personal.matchers import (
    CONTENT_KINDS,
    VALUE_MATCHERS,
    birth_year_of,
    is_tax_code,
    parse_date,
)
from datasets.personal.scanner import STRUCTURED_KINDS, ColumnCounts, TableScanner

K = PersonalDataKind

MIN_SCORE = 0.5  # a column is a finding from a score of 0.5 (tuned on benchmarks/pii_corpus.py)
# Values whose structure proves their kind (citizen IDs, phones, e-mails, health-insurance
# cards, plates) make a finding from this share of the values that could hold data.
MIN_STRUCTURED_SHARE = 0.05
MIN_WEAK_HEADER_SHARE = 0.3  # a weak header ("Tên", "ĐT") needs this share of matching values
MIN_BIRTH_SPREAD_YEARS = 25  # birth dates span generations; issue and event dates do not
MIN_TEXT_LENGTH = 30  # mean characters of a text column read for names on its sample
MIN_TEXT_HITS = 2
MIN_VALUES_TO_DISAGREE = 5  # values needed to overrule a header by their shape
# Names are nearly all different; a short list repeated ("Hàn Quốc", "Việt Nam") is a category.
MIN_NAME_DISTINCT_SHARE = 0.3

# Contact details and tax codes of an organisation are public (HCMC's enterprise list): in a
# table about organisations they get a "keep" proposal, which a rule always overrides.
_ORG_PUBLIC_KINDS = frozenset({K.ADDRESS, K.PHONE, K.EMAIL, K.TAX_CODE, K.BANK_ACCOUNT})
# Aggregate statistics by ethnicity or religion, and coordinates of bus stops, are not personal.
_NEED_PERSON_TABLE = frozenset({K.ETHNICITY, K.RELIGION, K.LOCATION})
# In a list of facilities or organisations, "benh" or "vi pham" headers count beds or
# offences (so_giuong_benh in a hospital list), not a person's health or record.
_NOT_IN_ORG_TABLE = frozenset({K.HEALTH, K.CRIMINAL})
_ENTITY_BY_CONTENT = frozenset({K.PERSON_NAME, K.CITIZEN_ID, K.HEALTH_INSURANCE})
# Values naming organisations ("Công ty ...", "Trường ...", "UBND ...") make a table about
# organisations or facilities unless it is also about people.
_ORG_VALUE = re.compile(
    r"(?:tổng công ty|công ty|doanh nghiệp|hợp tác xã|trường|bệnh viện|trạm|trung tâm|ubnd|"
    r"ủy ban|uỷ ban|sở|phòng|chi cục|cục|ban quản lý|ngân hàng|công an|tòa án|viện|chợ|bãi xe)\b",
    re.IGNORECASE,
)
MIN_ORG_VALUE_SHARE = 0.6


@dataclass(frozen=True)
class Finding:
    """A column that holds personal data: its kind, share of matching values, confidence.

    ``share`` and ``confidence`` are in 0..1. A finding never carries cell values.
    """

    column: str
    kind: str
    share: float
    confidence: float
    sensitive: bool
    # "keep" when the values look like an organisation's public details (office landlines,
    # institutional mailboxes, enterprise tax codes, in a table about organisations): a
    # proposal that only fills a gap, never overrides a rule (``policy.decide``).
    proposal: str = ""

    def to_json(self) -> dict[str, Any]:
        """Return the finding as stored (``ResourceVersion.findings``): plain JSON data."""
        return {
            "column": self.column,
            "kind": str(self.kind),
            "share": self.share,
            "confidence": self.confidence,
            "sensitive": self.sensitive,
            "proposal": self.proposal,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Finding:
        """Rebuild a finding stored with ``to_json`` (missing numbers read as 0)."""
        return cls(
            column=str(data["column"]),
            kind=str(data["kind"]),
            share=float(data.get("share", 0.0)),
            confidence=float(data.get("confidence", 0.0)),
            sensitive=bool(data.get("sensitive", False)),
            proposal=str(data.get("proposal", "")),
        )


@dataclass(frozen=True)
class _Column:
    name: str
    header: HeaderInfo
    values: tuple[str, ...]  # sampled values that could hold data, stripped, NFC
    filled: float  # share of rows with a value that could hold data
    counts: ColumnCounts  # counted over every row


@dataclass(frozen=True)
class _Candidate:
    kind: PersonalDataKind
    share: float
    confidence: float


def _share(values: Sequence[str], matcher: Callable[[str], bool]) -> float:
    return sum(1 for v in values if matcher(v)) / len(values) if values else 0.0


def _kind_share(column: _Column, kind: PersonalDataKind) -> float:
    """Share of values that are ``kind``: counted over every row for structured kinds."""
    if kind in STRUCTURED_KINDS:
        return column.counts.share(kind)
    return _share(column.values, VALUE_MATCHERS[kind])


def _birth_dates_share(values: Sequence[str]) -> float:
    """Share of full dates, when their years span generations (else 0)."""
    years = sorted(d.year for d in map(parse_date, values) if d is not None)
    if not years or years[0] < 1900:
        return 0.0
    low, high = years[len(years) // 20], years[-1 - len(years) // 20]
    return len(years) / len(values) if high - low >= MIN_BIRTH_SPREAD_YEARS else 0.0


def _content_candidates(column: _Column) -> list[_Candidate]:
    info, values = column.header, column.values
    found = []
    for kind in CONTENT_KINDS:
        repetitive = len(values) >= 10 and len(set(values)) < MIN_NAME_DISTINCT_SHARE * len(values)
        if kind is K.PERSON_NAME and repetitive:
            continue
        share = _kind_share(column, kind)
        strength = info.strength if info.kind is kind else 0.0
        if strength and strength < 1.0 and share < MIN_WEAK_HEADER_SHARE:
            strength = 0.0
        score = share * (1 + strength / 2)
        # A value whose structure proves its kind counts from a small floor: placeholders
        # and a mix of values must not hide it (a finding is decided, never silent).
        floor = MIN_STRUCTURED_SHARE if kind in STRUCTURED_KINDS else MIN_SCORE
        if score >= floor and (kind not in STRUCTURED_KINDS or column.counts.cells[kind]):
            found.append(_Candidate(kind, share, min(1.0, score)))
    if info.kind is None and info.role is not HeaderRole.OTHER_DATE:
        share = _birth_dates_share(values)
        if share >= MIN_SCORE:
            found.append(_Candidate(K.DATE_OF_BIRTH, share, share))
    return found


def _header_candidate(column: _Column) -> _Candidate | None:
    """The kind the header names, with the share of values that fit it."""
    info = column.header
    kind = info.kind
    if kind is None or info.strength < 1.0 or kind is K.FREE_TEXT:
        return None
    matcher = VALUE_MATCHERS.get(kind)
    if kind is K.DATE_OF_BIRTH:
        share = _share(column.values, lambda v: birth_year_of(v) is not None or v.isdigit())
    elif matcher is None:
        share = column.filled
    else:
        share = _kind_share(column, kind)
    disagree = len(column.values) >= MIN_VALUES_TO_DISAGREE and not share
    if matcher is not None and kind not in CONTENT_KINDS and disagree:
        # "Mức lương đóng BHXH" names insurance but holds salaries: no value has the shape
        # of the kind the header names.
        return None
    if kind in CONTENT_KINDS and share * 1.5 < MIN_SCORE:
        # The header says so but the values disagree: keep it, with low confidence.
        return _Candidate(kind, share, 0.5 * info.strength)
    return _Candidate(kind, share, min(1.0, info.strength * (0.6 + 0.4 * share)))


def _free_text_candidate(column: _Column) -> _Candidate | None:
    """A column with personal values inside its text (counted over every row)."""
    counts = column.counts
    hinted = column.header.kind is K.FREE_TEXT
    if counts.text_cells:
        share = counts.text_cells / counts.data
    else:
        # Names introduced by "ông", "bà", "tôi là": read on the sample of long texts.
        values = column.values
        if not values or sum(map(len, values)) / len(values) < MIN_TEXT_LENGTH:
            return None
        hits = sum(1 for v in values if find_in_text(v))
        if hits < (1 if hinted else MIN_TEXT_HITS):
            return None
        share = hits / len(values)
    strength = column.header.strength if hinted else 0.0
    return _Candidate(K.FREE_TEXT, share, min(1.0, 0.6 + share * (1 + strength / 2)))


def _best_candidate(column: _Column) -> _Candidate | None:
    if column.header.role in (HeaderRole.PUBLIC, HeaderRole.ORG_NAME) or not column.values:
        return None
    content = max(_content_candidates(column), key=lambda c: c.confidence, default=None)
    header = _header_candidate(column)
    if header is not None:
        # An explicit header wins unless the values clearly are something else.
        overruled = content is not None and content.share >= 0.8 and header.share < 0.2
        if not (overruled and header.kind in VALUE_MATCHERS):
            return header
    return content or _free_text_candidate(column)


def _is_org_column(column: _Column) -> bool:
    info = column.header
    if info.role is HeaderRole.ORG_NAME or (info.role is HeaderRole.PUBLIC and info.org_qualified):
        return True
    if info.kind is not None or not column.values:
        return False
    return _share(column.values, lambda v: _ORG_VALUE.match(v) is not None) >= MIN_ORG_VALUE_SHARE


def _is_org_table(columns: Sequence[_Column]) -> bool:
    return any(_is_org_column(c) for c in columns)


def _is_person_table(columns: Sequence[_Column], best: Sequence[_Candidate | None]) -> bool:
    for column, candidate in zip(columns, best, strict=True):
        if column.header.person_entity:
            return True
        weak_header = column.header.kind is None or column.header.strength < 1.0
        if candidate and weak_header and candidate.kind in _ENTITY_BY_CONTENT:
            return True
    return False


def _proposal(column: _Column, kind: PersonalDataKind, org_table: bool, person_table: bool) -> str:
    """Return "keep" for an organisation's public details; a person's never get it."""
    if kind is K.TAX_CODE:
        # In a table about organisations, enterprise tax codes (10 digits with a check digit,
        # or their branch form) are public identifiers, even next to the owner's details; a
        # 12-digit personal ID number never is.
        enterprise = _share(column.values, _is_enterprise_tax_code)
        org = org_table or column.header.org_qualified
        return "keep" if org and column.values and enterprise == 1.0 else ""
    if kind not in _ORG_PUBLIC_KINDS or column.counts.personal_contacts:
        return ""
    if column.header.org_qualified or (org_table and not person_table):
        return "keep"
    return ""


def _is_enterprise_tax_code(value: str) -> bool:
    main = value.replace(" ", "").partition("-")[0]
    return len(main) == 10 and is_tax_code(value)


def findings_of(
    scanner: TableScanner, *, categories: LegalCategories = CURRENT_CATEGORIES
) -> tuple[Finding, ...]:
    """Return one finding per column of the scanned table that holds personal data.

    ``categories`` decides which kinds are sensitive (pass ``categories_on(day)`` for a given
    day). Findings never carry values.
    """
    rows = scanner.rows
    columns = [
        _Column(
            name,
            classify_header(name),
            tuple(unicodedata.normalize("NFC", v.strip()) for v in counts.sample),
            counts.data / rows if rows else 0.0,
            counts,
        )
        for name, counts in zip(scanner.header, scanner.columns, strict=True)
    ]
    best = [_best_candidate(c) for c in columns]
    org_table = _is_org_table(columns)
    person_table = _is_person_table(columns, best)
    findings = []
    for column, candidate in zip(columns, best, strict=True):
        if candidate is None:
            continue
        if candidate.kind in _NEED_PERSON_TABLE and not person_table:
            continue
        if candidate.kind in _NOT_IN_ORG_TABLE and org_table and not person_table:
            continue
        findings.append(
            Finding(
                column=column.name,
                kind=candidate.kind.value,
                share=round(candidate.share, 4),
                confidence=round(candidate.confidence, 4),
                sensitive=categories.is_sensitive(candidate.kind),
                proposal=_proposal(column, candidate.kind, org_table, person_table),
            )
        )
    return tuple(findings)


def scan_columns(
    header: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    categories: LegalCategories = CURRENT_CATEGORIES,
) -> tuple[Finding, ...]:
    """Return one finding per column that holds personal data, in column order.

    Reads every row of ``rows`` (in batches: memory does not grow with the table).
    """
    scanner = TableScanner(header)
    scanner.feed_all(rows)
    return findings_of(scanner, categories=categories)


def scan_csv(
    path: Path, *, categories: LegalCategories = CURRENT_CATEGORIES
) -> tuple[Finding, ...]:
    """Scan every row of a UTF-8 CSV file (a BOM is accepted) and return its findings.

    Streams the file in batches, so memory stays bounded whatever its size. An empty file
    has no findings.
    """
    scanner = scanner_for(path)
    if scanner is None:
        return ()
    scan_rest(scanner, path)
    return findings_of(scanner, categories=categories)


def scanner_for(path: Path) -> TableScanner | None:
    """Return a scanner for the header of the CSV file at ``path`` (None if it is empty)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle), None)
    return None if header is None else TableScanner(header)


def scan_rest(scanner: TableScanner, path: Path) -> None:
    """Feed ``scanner`` the rows of the CSV file it has not been fed yet."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        next(reader, None)
        scanner.feed_all(itertools.islice(reader, scanner.rows, None))
