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
# A birth date or year announced in prose: "sinh ngày 10/01/1985", "SN 1978", "năm sinh: 1962",
# "sinh ngày 10 tháng 1 năm 1985". Found from the cue words with ``str.find`` (a regex tried
# at every position of a long text is many times slower), then matched from there.
_BIRTH_DATE = (
    r"\s*[:.]?\s*(?:(?:19|20)\d{2}-\d{1,2}-\d{1,2}"
    r"|\d{1,2}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*(?:19|20)\d{2}"
    r"|\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+(?:19|20)\d{2}|(?:19|20)\d{2})(?!\d)"
)
_BIRTH_AFTER = re.compile(r"\s+(?i:ngày|năm|ngay|nam)" + _BIRTH_DATE)  # "sinh ngày …"
_BIRTH_SHORT = re.compile(_BIRTH_DATE)  # "ngày sinh …", "năm sinh: …", "SN …", "NS …"
_BIRTH_CUES = ("sinh", "Sinh", "SINH", "SN", "NS")
_BIRTH_LEADS = ("ngày", "năm", "ngay", "nam")


def _births(text: str) -> list[tuple[PersonalDataKind, int, int]]:
    found: list[tuple[PersonalDataKind, int, int]] = []
    for cue in _BIRTH_CUES:
        at = text.find(cue)
        while at != -1:
            end = at + len(cue)
            whole_word = (at == 0 or not text[at - 1].isalnum()) and (
                end == len(text) or not text[end].isalnum()
            )
            if whole_word:
                before = text[max(0, at - 6) : at]
                lead = next((w for w in _BIRTH_LEADS if before.rstrip().lower().endswith(w)), "")
                short = cue in ("SN", "NS") or bool(lead)
                match = (_BIRTH_SHORT if short else _BIRTH_AFTER).match(text, end)
                if match:
                    start = at - (len(before) - len(before.rstrip())) - len(lead) if lead else at
                    found.append((K.DATE_OF_BIRTH, start, match.end()))
            at = text.find(cue, end)
    return found


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


# Quick shape checks that let a long text skip patterns that cannot match in it: digits map
# to "0", capital letters to "A", separators inside numbers are removed (on UTF-8 bytes:
# a table lookup per byte).
_SHAPE = bytes.maketrans(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", b"0" * 10 + b"A" * 26)


# What a shape holds besides letters: digits, the separator of joined values, and the marks
# of dates and times.
_NO_LETTER = b"0\x00/:,;"


def shape_of(text: str) -> bytes:
    """Return the shape ``find_in_text`` checks first: digits "0", capitals "A", no separators."""
    return text.encode().translate(_SHAPE, b" .-()+")


def find_in_text(
    text: str, *, names: bool = True, shape: bytes | None = None
) -> list[tuple[PersonalDataKind, int, int]]:
    """Return ``(kind, start, end)`` of each personal value found inside ``text``.

    Spans never overlap and are sorted by start; on overlap the earlier, then the longer,
    span wins. Finds e-mails, phones, citizen IDs, health-insurance codes, licence plates,
    names introduced by a form of address ("ông", "bà", "tôi là"; not with ``names=False``)
    and birth dates or years announced as such ("sinh ngày …", "SN …", "năm sinh …").
    ``shape`` is ``shape_of(text)`` when the caller has it already.
    """
    shape = shape_of(text) if shape is None else shape
    numbers = b"0000000000" in shape  # phones, citizen IDs: 10 digits or more
    # Health cards, licence plates: a capital letter next to digits.
    capitals = b"A" in shape and (b"AA0" in shape or b"00A" in shape)
    spans: list[tuple[PersonalDataKind, int, int]] = []
    for kind, pattern in _VALIDATED:
        if kind is K.EMAIL and "@" not in text:
            continue
        if kind in (K.PHONE, K.CITIZEN_ID) and not numbers:
            continue
        if kind in (K.HEALTH_INSURANCE, K.LICENCE_PLATE) and not capitals:
            continue
        for match in pattern.finditer(text):
            if _is_valid(kind, match.group()):
                spans.append((kind, match.start(), match.end()))
    # Names and birth dates need letters: a column of numbers and dates skips their search.
    if shape.translate(None, _NO_LETTER):
        if names:
            spans.extend(_names(text))
        spans.extend(_births(text))
    spans.sort(key=lambda span: (span[1], -(span[2] - span[1])))
    result: list[tuple[PersonalDataKind, int, int]] = []
    for span in spans:
        if not result or span[1] >= result[-1][2]:
            result.append(span)
    return result
