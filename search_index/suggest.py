"""Spelling suggestions ("did you mean") from an index's folded vocabulary."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence


def edit_distance(a: str, b: str, limit: int) -> int:
    """Return the Damerau-Levenshtein (adjacent transposition) distance, capped at ``limit + 1``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        best = current[0]
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
            best = min(best, value)
        if best > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def max_distance(word: str) -> int:
    """Return how many edits a misspelling of ``word`` may have (short syllables allow one)."""
    return 1 if len(word) <= 4 else 2


def closest_term(word: str, candidates: Iterable[tuple[str, int]]) -> str | None:
    """Return the candidate nearest to ``word``; ties go to the more frequent term.

    ``candidates`` yields ``(term, document_frequency)``; terms further than
    ``max_distance(word)`` are ignored.
    """
    limit = max_distance(word)
    best: tuple[int, int, str] | None = None
    for term, frequency in candidates:
        if term == word:
            continue
        distance = edit_distance(word, term, limit)
        if distance > limit:
            continue
        key = (distance, -frequency, term)
        if best is None or key < best:
            best = key
    return best[2] if best else None


def suggest_words(
    typed: Sequence[str],
    folded: Sequence[str],
    is_known: Callable[[str], bool],
    candidates_for: Callable[[str], Iterable[tuple[str, int]]],
    display: Callable[[str], str] | None = None,
) -> str | None:
    """Return the query with each unknown word replaced by its closest known term, or None.

    ``typed`` holds the query's words as typed and ``folded`` the same words folded;
    ``display`` turns a chosen folded term into the form shown to the user (e.g. its most
    frequent accented spelling).
    """
    changed = False
    out: list[str] = []
    for shown, word in zip(typed, folded, strict=True):
        if is_known(word) or word.isdigit():
            out.append(shown)
            continue
        term = closest_term(word, candidates_for(word))
        if term is None:
            out.append(shown)
            continue
        changed = True
        out.append(display(term) if display else term)
    return " ".join(out) if changed else None
