"""Highlighted snippets: HTML-escaped text with query words wrapped in ``<mark>``."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from html import escape

from search_index.text import nfc, word_spans

SNIPPET_CHARS = 240


def highlight_text(
    text: str, folded_words: Collection[str], max_chars: int | None = None
) -> str | None:
    """Return ``text`` HTML-escaped with every word whose folded form is queried marked.

    Words match on their folded, lowercase form, so ``giao thong`` marks ``Giao thông``.
    With ``max_chars`` the snippet is a window of about that many characters around the first
    match, with an ellipsis where text was cut. Returns None when no word matches.
    """
    text = nfc(text)
    spans = [(s, e) for s, e, w in word_spans(text) if w in folded_words]
    if not spans:
        return None
    start, end = 0, len(text)
    if max_chars is not None and len(text) > max_chars:
        first = spans[0][0]
        start = max(0, first - max_chars // 4)
        # Start the window on a word boundary so no word is cut in half.
        while start > 0 and not text[start - 1].isspace():
            start -= 1
        end = min(len(text), start + max_chars)
        while end < len(text) and not text[end].isspace():
            end += 1
    parts: list[str] = ["…" if start > 0 else ""]
    cursor = start
    for s, e in spans:
        if s < start or e > end:
            continue
        parts.append(escape(text[cursor:s]))
        parts.append(f"<mark>{escape(text[s:e])}</mark>")
        cursor = e
    parts.append(escape(text[cursor:end]))
    if end < len(text):
        parts.append("…")
    return "".join(parts)


def highlight_fields(
    fields: Mapping[str, Sequence[str]], folded_words: Collection[str]
) -> dict[str, str]:
    """Return ``{field: snippet}`` using, per field, the first candidate text that matches.

    ``fields`` maps an output name (``"title"``, ``"description"``) to candidate texts in
    order of preference (Vietnamese first, then English). Descriptions are cut to a window.
    """
    out: dict[str, str] = {}
    for name, candidates in fields.items():
        limit = None if name == "title" else SNIPPET_CHARS
        for candidate in candidates:
            snippet = highlight_text(candidate, folded_words, limit) if candidate else None
            if snippet is not None:
                out[name] = snippet
                break
    return out
