"""Real files in the encodings Vietnamese agencies export: Windows-1258 with decomposed tones."""

from __future__ import annotations

import unicodedata

_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")


def to_cp1258(text: str) -> bytes:
    """Encode Vietnamese text as Windows-1258 does: tone marks as separate combining marks.

    Windows-1258 has the base letters with their vowel marks (â, ơ, ư…) but no toned
    letters, so "ờ" is written as "ơ" followed by a combining grave accent.
    """
    out = []
    for char in unicodedata.normalize("NFC", text):
        decomposed = unicodedata.normalize("NFD", char)
        tones = "".join(c for c in decomposed if c in _TONES)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))
        out.append(base + tones)
    return "".join(out).encode("cp1258")
