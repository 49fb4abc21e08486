"""Find personal data inside free text (complaints, comments, notes)."""

from __future__ import annotations

import re

from datasets.personal.kinds import PersonalDataKind
from datasets.personal.matchers import (
    canonical_phone,
    is_citizen_id,
    is_health_insurance,
    is_licence_plate,
    name_words,
)

K = PersonalDataKind

# Starts only where a run of address characters starts: else a long run without "@" is
# scanned again from each of its characters (quadratic: a 20,000-letter cell took 100 s).
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(
    r"(?<![\w+])(?:\+84|84|0)(?:[\s.\-]?\d){9,10}(?!\d)|\(0\d{2,3}\)\s?\d[\d\s.]{6,9}\d"
)
_CITIZEN_ID = re.compile(r"(?<!\d)\d{3}[\s.]?\d{3}[\s.]?\d{6}(?!\d)")
_HEALTH_CARD = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}[1-5]\d{12}(?!\d)")
_PLATE = re.compile(
    r"(?<![\w.])\d{2}(?:[A-Z]{1,2}-?|-?[A-Z][A-Z0-9][\s-]?)\d{3}\.?\d{1,2}(?![\w])"
    r"|(?<![\w.])\d{2}(?:[A-Z]{1,2}|-?[A-Z][A-Z0-9])-?\d{4,5}(?!\w)"
)
# Words that announce a person's name in Vietnamese prose ("ông Nguyễn Văn An").
_NAME_CUE = re.compile(
    r"(?:\b(?:ông|bà|anh|chị|em|cô|chú|tôi là|tên là|họ tên|người phản ánh|người gửi)\s*:?\s+)",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W\d_]+")

_VALIDATED: tuple[tuple[PersonalDataKind, re.Pattern[str]], ...] = (
    (K.EMAIL, _EMAIL),
    (K.HEALTH_INSURANCE, _HEALTH_CARD),
    (K.CITIZEN_ID, _CITIZEN_ID),
    (K.PHONE, _PHONE),
    (K.LICENCE_PLATE, _PLATE),
)


def _is_valid(kind: PersonalDataKind, value: str) -> bool:
    if kind is K.PHONE:
        return canonical_phone(value) is not None
    if kind is K.CITIZEN_ID:
        return is_citizen_id(value)
    if kind is K.HEALTH_INSURANCE:
        return is_health_insurance(value)
    if kind is K.LICENCE_PLATE:
        return is_licence_plate(value)
    return True


def _names(text: str) -> list[tuple[PersonalDataKind, int, int]]:
    found: list[tuple[PersonalDataKind, int, int]] = []
    for cue in _NAME_CUE.finditer(text):
        pos, end, words = cue.end(), cue.end(), 0
        for word in _WORD.finditer(text, pos):
            gap = text[end : word.start()]
            if (words and gap != " ") or (not words and word.start() != pos):
                break
            if not word.group()[0].isupper() or words == 5:
                break
            end, words = word.end(), words + 1
        if words >= 2 and name_words(text[pos:end]) is not None:
            found.append((K.PERSON_NAME, pos, end))
    return found


def find_in_text(text: str) -> list[tuple[PersonalDataKind, int, int]]:
    """Return ``(kind, start, end)`` of each personal value found inside ``text``.

    Spans never overlap and are sorted by start; on overlap the earlier, then the longer,
    span wins. Finds e-mails, phones, citizen IDs, health-insurance codes, licence plates and
    names introduced by a form of address ("ông", "bà", "tôi là").
    """
    spans: list[tuple[PersonalDataKind, int, int]] = []
    for kind, pattern in _VALIDATED:
        for match in pattern.finditer(text):
            if _is_valid(kind, match.group()):
                spans.append((kind, match.start(), match.end()))
    spans.extend(_names(text))
    spans.sort(key=lambda span: (span[1], -(span[2] - span[1])))
    result: list[tuple[PersonalDataKind, int, int]] = []
    for span in spans:
        if not result or span[1] >= result[-1][2]:
            result.append(span)
    return result
