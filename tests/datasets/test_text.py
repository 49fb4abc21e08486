"""Slug folding (datasets.text) and search folding (search_index.text) are two functions."""

from __future__ import annotations

import unicodedata

from datasets.text import slug_fold, vn_slug
from search_index.text import vn_fold as search_fold


def test_slug_folding_removes_vietnamese_marks_like_search_folding() -> None:
    for text in ("Đường Lê Lợi, Quận Đống Đa", "dữ liệu Hồ Chí Minh", "Thuỷ lợi, khoẻ, hoà"):
        assert slug_fold(text) == search_fold(text)
        assert slug_fold(unicodedata.normalize("NFD", text)) == search_fold(text)
    assert slug_fold("Đường Lê Lợi") == "Duong Le Loi"
    assert vn_slug("Đường Lê Lợi — Q.1") == "duong-le-loi-q-1"


def test_slug_folding_removes_every_script_s_marks_search_folding_only_latin_ones() -> None:
    hebrew = "\u05e9\u05b8\u05c1"  # shin with qamats and shin dot
    assert slug_fold(hebrew) == "\u05e9"
    assert search_fold(hebrew) == hebrew
    assert slug_fold("a\u034fb") == "a\u034fb"  # the grapheme joiner has no combining class
    assert search_fold("a\u034fb") == "ab"


def test_slugs_are_cut_at_a_word_boundary_length() -> None:
    assert len(vn_slug("dữ liệu " * 40)) <= 90
    assert not vn_slug("dữ liệu " * 40).endswith("-")
