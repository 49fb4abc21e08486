"""Vietnamese-aware text handling shared by every search backend.

Facts this module relies on (see VIETNAMESE.md §1):

* Decomposed (NFD) input splits words at combining marks under ``\\w+``, so every text is
  NFC-normalized before anything else.
* Unicode decomposition leaves ``đ``/``Đ`` alone; folding maps them to ``d``/``D`` explicitly.
* ``hoà`` and ``hòa`` (old and new tone placement) differ even after NFC; the accented form is
  normalized to one placement so both spellings match exactly, and the folded form matches both.
* Vietnamese syllables are short words: there is no stop list and no minimum token length.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from whoosh.analysis import Token, Tokenizer

_COMBINING_RE = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_STROKE_D = str.maketrans({"đ": "d", "Đ": "D"})
_WORD_RE = re.compile(r"\w+")
_SLUG_RE = re.compile(r"[^a-z0-9]+")

# Old-style tone placement ("hoà", "khoẻ", "thuỷ") moved to the first vowel ("hòa", "khỏe",
# "thủy") when the syllable ends with the diphthong; "quý" keeps its mark because its "u"
# belongs to the consonant "qu".
_TONES = {"grave": "òèùỳà", "acute": "óéúýá", "hook": "ỏẻủỷả", "tilde": "õẽũỹã", "dot": "ọẹụỵạ"}
_OLD_TO_NEW: dict[str, str] = {}
for _marks in _TONES.values():
    _o, _e, _u, _y, _a = tuple(_marks)
    _OLD_TO_NEW["o" + _a] = _o + "a"
    _OLD_TO_NEW["o" + _e] = _o + "e"
    _OLD_TO_NEW["u" + _y] = _u + "y"
_OLD_TONE_RE = re.compile("(" + "|".join(sorted(_OLD_TO_NEW)) + ")$")


def nfc(text: str) -> str:
    """Return ``text`` in Unicode NFC (composed) form."""
    return unicodedata.normalize("NFC", text)


def vn_fold(text: str) -> str:
    """Return ``text`` without any diacritic: tone marks, vowel marks and ``đ`` → ``d``.

    Case is preserved: ``"Đường Lê Lợi"`` → ``"Duong Le Loi"``.
    """
    decomposed = unicodedata.normalize("NFKD", text.translate(_STROKE_D))
    return _COMBINING_RE.sub("", decomposed)


def vn_slug(text: str) -> str:
    """Return a lowercase ASCII slug of ``text``: ``"Đường phố Q.1"`` → ``"duong-pho-q-1"``."""
    return _SLUG_RE.sub("-", vn_fold(text).lower()).strip("-")


@lru_cache(maxsize=65536)
def normalize_tone_placement(word: str) -> str:
    """Return the lowercase NFC syllable ``word`` with the tone on the first vowel of oa/oe/uy.

    ``"hoà"`` → ``"hòa"``, ``"thuỷ"`` → ``"thủy"``; ``"quý"`` and ``"hoàng"`` are unchanged.
    """
    match = _OLD_TONE_RE.search(word)
    if match is None:
        return word
    start = match.start()
    if word[start] == "u" and start > 0 and word[start - 1] == "q":
        return word
    return word[:start] + _OLD_TO_NEW[match.group(1)]


def accented_words(text: str) -> list[str]:
    """Split ``text`` into lowercase NFC words with normalized tone placement."""
    # An ASCII word has no tone mark to move (the cache lookup is skipped for speed).
    return [
        w if w.isascii() else normalize_tone_placement(w)
        for w in _WORD_RE.findall(nfc(text).lower())
    ]


@lru_cache(maxsize=65536)
def fold_word(word: str) -> str:
    """Return the lowercase NFC ``word`` without diacritics (memoized: words repeat a lot)."""
    return vn_fold(word)


def folded_words(text: str) -> list[str]:
    """Split ``text`` into lowercase words without diacritics (the same split as accented)."""
    # An ASCII word has nothing to fold (the cache lookup is skipped for speed).
    return [w if w.isascii() else fold_word(w) for w in _WORD_RE.findall(nfc(text).lower())]


def folded_lines(text: str) -> list[list[str]]:
    """Return ``folded_words`` of each line of ``text`` (no word spans a line break)."""
    return [folded_words(line) for line in text.split("\n")]


def bigrams(words: list[str]) -> list[str]:
    """Return the adjacent word pairs of ``words`` joined by a space (phrase terms)."""
    return [f"{a} {b}" for a, b in itertools.pairwise(words)]


def word_spans(text: str) -> Iterator[tuple[int, int, str]]:
    """Yield ``(start, end, folded_lowercase_word)`` for each word of the NFC ``text``."""
    for match in _WORD_RE.finditer(text):
        yield match.start(), match.end(), fold_word(match.group().lower())


_MODES = ("accented", "folded", "bigram", "exact")


class VietnameseTokenizer(Tokenizer):  # type: ignore[misc]  # whoosh ships no type hints
    """A Whoosh tokenizer producing accented words, folded words or folded word bigrams.

    ``mode="exact"`` splits on the unit separator ``\\x1f`` and keeps values as they are
    (facet values such as tags, which may contain spaces).
    """

    def __init__(self, mode: str = "folded") -> None:
        if mode not in _MODES:
            raise ValueError(f"unknown tokenizer mode {mode!r}")
        self.mode = mode

    def __eq__(self, other: object) -> bool:
        return isinstance(other, VietnameseTokenizer) and other.mode == self.mode

    def __hash__(self) -> int:
        return hash(("VietnameseTokenizer", self.mode))

    def terms(self, value: str) -> list[str]:
        """Return the index terms of ``value`` for this tokenizer's mode."""
        if self.mode == "exact":
            return [v for v in value.split("\x1f") if v]
        if self.mode == "accented":
            return accented_words(value)
        if self.mode == "bigram":
            return self.bigram_terms(folded_lines(value))
        return folded_words(value)

    @staticmethod
    def bigram_terms(lines: list[list[str]]) -> list[str]:
        """Return the bigram terms of text split by ``folded_lines``."""
        # Lines are separate fields or languages: no phrase spans two of them.
        return [pair for words in lines for pair in bigrams(words)]

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Any]:
        """Yield Whoosh tokens; character offsets are not tracked (snippets re-tokenize)."""
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        terms = self.terms(value) if tokenize else [value]
        for pos, term in enumerate(terms, start_pos):
            token.text = term
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = term
            if positions:
                token.pos = pos
            if chars:
                token.startchar = start_char
                token.endchar = start_char
            yield token


class QueryText:
    """The words of a free-text query in the forms each backend matches on.

    ``typed`` keeps the user's spelling (lowercase NFC), ``accented`` has normalized tone
    placement, ``folded`` has no diacritics, and ``phrases`` holds the folded adjacent pairs
    that earn a phrase boost. Solr-style quotes and operators are treated as plain words.
    """

    __slots__ = ("accented", "folded", "phrases", "typed")

    def __init__(self, text: str) -> None:
        self.typed: tuple[str, ...] = tuple(_WORD_RE.findall(nfc(text).lower()))
        self.accented: tuple[str, ...] = tuple(normalize_tone_placement(w) for w in self.typed)
        self.folded: tuple[str, ...] = tuple(fold_word(w) for w in self.typed)
        self.phrases: tuple[str, ...] = tuple(bigrams(list(self.folded)))

    def __bool__(self) -> bool:
        return bool(self.typed)

    def has_accents(self) -> bool:
        """Return True when the user typed at least one diacritic."""
        return self.typed != self.folded
