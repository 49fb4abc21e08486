"""Vietnamese text folding for slugs and matching."""

from __future__ import annotations

import re
import unicodedata

_NON_SLUG = re.compile(r"[^a-z0-9]+")


def slug_fold(text: str) -> str:
    """Return ``text`` without tone marks or diacritics, with đ→d (NFD alone keeps đ).

    Folding for slugs and name keys: every combining mark of every script goes (an Arabic
    harakat or a Hebrew point too). Search folds differently (``search_index.text.vn_fold``
    strips only the Latin diacritic ranges Vietnamese uses), so the two are not one function.
    """
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFC", text))
    decomposed = decomposed.replace("đ", "d").replace("Đ", "D")
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def vn_slug(text: str, max_length: int = 90) -> str:
    """Return a lowercase ASCII slug: ``Đường Lê Lợi`` → ``duong-le-loi``."""
    return _NON_SLUG.sub("-", slug_fold(text).lower()).strip("-")[:max_length].strip("-")
