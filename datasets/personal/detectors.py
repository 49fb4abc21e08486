"""Find columns holding personal data, by header and by content.

Each column gets a header reading (``headers.classify_header``) and, for a sample of rows, the
share of values matching each kind. The score is ``share × (1 + header_strength / 2)`` (the
csv-detective scheme); kinds that values alone cannot tell (old ID cards, insurance and bank
numbers, sensitive categories) need a header. Table context settles the ambiguous cases: contact
details and tax codes in a list of organisations are public, and ethnicity, religion and
coordinates are personal only in a table about people.
"""

from __future__ import annotations

import csv
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from datasets.personal.freetext import find_in_text
from datasets.personal.headers import HeaderInfo, HeaderRole, classify_header
from datasets.personal.kinds import CURRENT_CATEGORIES, LegalCategories, PersonalDataKind
from datasets.personal.matchers import CONTENT_KINDS, VALUE_MATCHERS, birth_year_of, parse_date

K = PersonalDataKind

MIN_SCORE = 0.5  # a column is a finding from a score of 0.5 (tuned on benchmarks/pii_corpus.py)
MIN_WEAK_HEADER_SHARE = 0.3  # a weak header ("Tên", "ĐT") needs this share of matching values
MIN_BIRTH_SPREAD_YEARS = 25  # birth dates span generations; issue and event dates do not
MIN_TEXT_LENGTH = 30  # mean characters of a free-text column
MIN_TEXT_HITS = 2
# Names are nearly all different; a short list repeated ("Hàn Quốc", "Việt Nam") is a category.
MIN_NAME_DISTINCT_SHARE = 0.3

# Contact details and tax codes of an organisation are public (HCMC's enterprise list).
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


@dataclass(frozen=True)
class _Column:
    name: str
    header: HeaderInfo
    values: tuple[str, ...]  # non-empty sampled values, stripped, NFC
    filled: float  # share of sampled rows with a value


@dataclass(frozen=True)
class _Candidate:
    kind: PersonalDataKind
    share: float
    confidence: float


def _share(values: Sequence[str], matcher: Callable[[str], bool]) -> float:
    return sum(1 for v in values if matcher(v)) / len(values) if values else 0.0


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
        share = _share(values, VALUE_MATCHERS[kind])
        strength = info.strength if info.kind is kind else 0.0
        if strength and strength < 1.0 and share < MIN_WEAK_HEADER_SHARE:
            strength = 0.0
        score = share * (1 + strength / 2)
        if score >= MIN_SCORE:
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
        share = _share(column.values, matcher)
    if kind in CONTENT_KINDS and share * 1.5 < MIN_SCORE:
        # The header says so but the values disagree: keep it, with low confidence.
        return _Candidate(kind, share, 0.5 * info.strength)
    return _Candidate(kind, share, min(1.0, info.strength * (0.6 + 0.4 * share)))


def _free_text_candidate(column: _Column) -> _Candidate | None:
    """A text column with personal values inside; a free-text header ("ghi_chu") needs one hit."""
    values = column.values
    hinted = column.header.kind is K.FREE_TEXT
    if not hinted and sum(len(v) for v in values) / len(values) < MIN_TEXT_LENGTH:
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


def _sample(
    header: Sequence[str], rows: Iterable[Sequence[str]], sample_size: int
) -> list[_Column]:
    values: list[list[str]] = [[] for _ in header]
    n_rows = 0
    for row in itertools.islice(rows, sample_size):
        n_rows += 1
        for i, cell in enumerate(row[: len(header)]):
            text = cell.strip()
            if text:
                values[i].append(unicodedata.normalize("NFC", text))
    return [
        _Column(name, classify_header(name), tuple(vals), len(vals) / n_rows if n_rows else 0.0)
        for name, vals in zip(header, values, strict=True)
    ]


def scan_columns(
    header: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    sample_size: int = 5000,
    categories: LegalCategories = CURRENT_CATEGORIES,
) -> tuple[Finding, ...]:
    """Return one finding per column that holds personal data, in column order.

    Reads at most ``sample_size`` rows from ``rows``. ``categories`` decides which kinds are
    sensitive (pass ``categories_on(day)`` for a given day). Findings never carry values.
    """
    columns = _sample(header, rows, max(1, sample_size))
    best = [_best_candidate(c) for c in columns]
    org_table = _is_org_table(columns)
    person_table = _is_person_table(columns, best)
    findings = []
    for column, candidate in zip(columns, best, strict=True):
        if candidate is None:
            continue
        if candidate.kind in _ORG_PUBLIC_KINDS and (
            column.header.org_qualified or (org_table and not person_table)
        ):
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
            )
        )
    return tuple(findings)


def scan_csv(
    path: Path,
    *,
    sample_size: int = 5000,
    categories: LegalCategories = CURRENT_CATEGORIES,
) -> tuple[Finding, ...]:
    """Scan a UTF-8 CSV file (a BOM is accepted) and return its findings.

    Streams the file and reads at most the header and ``sample_size`` rows, so memory stays
    bounded whatever the file size. An empty file has no findings.
    """
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            return ()
        return scan_columns(header, reader, sample_size=sample_size, categories=categories)
