"""Tell an upload's text encoding from a bounded prefix of its bytes (SPEC §3).

Byte order marks first, then UTF-16 without one (zero bytes at every other position), then
UTF-8; text that is not UTF-8 is Windows-1258 (Vietnamese) or Windows-1252 (Western).
"""

from __future__ import annotations

import codecs
import itertools

_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")
_VOWELS = frozenset("aăâeêioôơuưyAĂÂEÊIOÔƠUƯY")


def detect_encoding(prefix: bytes) -> tuple[str | None, float]:
    """Return (Python codec name, confidence) or (None, 0) for binary content."""
    if prefix.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", 1.0
    if prefix.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", 1.0
    sample = prefix[:4096]
    zeros_even = sample[0::2].count(0)
    zeros_odd = sample[1::2].count(0)
    half = max(1, len(sample) // 2)
    if zeros_odd > 0.3 * half and zeros_even < 0.05 * half:
        return "utf-16-le", 0.9
    if zeros_even > 0.3 * half and zeros_odd < 0.05 * half:
        return "utf-16-be", 0.9
    if b"\x00" in sample:
        return None, 0.0
    try:
        codecs.getincrementaldecoder("utf-8")().decode(prefix, final=False)
    except UnicodeDecodeError:
        return _detect_windows_codepage(prefix)
    return "utf-8", 1.0 if prefix.isascii() else 0.99


def _detect_windows_codepage(prefix: bytes) -> tuple[str | None, float]:
    """Tell Windows-1258 (Vietnamese) from Windows-1252 (Western) by what the text becomes."""
    try:
        vietnamese = prefix.decode("cp1258")
    except UnicodeDecodeError:
        vietnamese = ""
    try:
        prefix.decode("cp1252")
        western_ok = True
    except UnicodeDecodeError:
        western_ok = False
    if vietnamese:
        composed = sum(
            1
            for before, mark in itertools.pairwise(vietnamese)
            if mark in _TONE_MARKS and before in _VOWELS
        )
        stray = sum(1 for char in vietnamese if char in _TONE_MARKS) - composed
        # Vietnamese text carries tone marks on vowels; Western text decoded as 1258 gives
        # marks after consonants or none at all (Portuguese "ã", "õ" become "ă", "ơ").
        if composed and stray * 4 <= composed:
            return "cp1258", 0.8
        if not western_ok:
            return "cp1258", 0.5
    if western_ok:
        return "cp1252", 0.8
    return None, 0.0
