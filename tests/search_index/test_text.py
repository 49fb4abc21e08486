"""Vietnamese folding, slugs and tokenization."""

from __future__ import annotations

import unicodedata

import pytest

from search_index import vn_fold, vn_slug
from search_index.text import (
    QueryText,
    VietnameseTokenizer,
    accented_words,
    folded_words,
    normalize_tone_placement,
)


def test_fold_removes_every_mark_and_d_stroke() -> None:
    assert vn_fold("Đường Lê Lợi, Quận Đống Đa") == "Duong Le Loi, Quan Dong Da"
    assert vn_fold("dữ liệu Hồ Chí Minh") == "du lieu Ho Chi Minh"
    assert vn_fold(unicodedata.normalize("NFD", "Hòa Bình")) == "Hoa Binh"


def test_slug_is_lowercase_ascii() -> None:
    assert vn_slug("Đường phố — Q.1 (2024)") == "duong-pho-q-1-2024"


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("hoà", "hòa"),
        ("thuỷ", "thủy"),
        ("khoẻ", "khỏe"),
        ("hòa", "hòa"),
        ("quý", "quý"),
        ("hoàng", "hoàng"),
        ("toán", "toán"),
    ],
)
def test_tone_placement_is_normalized(word: str, expected: str) -> None:
    assert normalize_tone_placement(word) == expected


def test_words_split_after_nfc_without_stop_words() -> None:
    decomposed = unicodedata.normalize("NFD", "Hòa Bình ở An Giang")
    assert accented_words(decomposed) == ["hòa", "bình", "ở", "an", "giang"]
    assert folded_words(decomposed) == ["hoa", "binh", "o", "an", "giang"]


def test_query_text_forms() -> None:
    text = QueryText("Giao THÔNG hoà")
    assert text.typed == ("giao", "thông", "hoà")
    assert text.accented == ("giao", "thông", "hòa")
    assert text.folded == ("giao", "thong", "hoa")
    assert text.phrases == ("giao thong", "thong hoa")
    assert text.has_accents()
    assert not QueryText(" ,. ")


def test_tokenizer_modes() -> None:
    def terms(mode: str, value: str) -> list[str]:
        return [t.text for t in VietnameseTokenizer(mode)(value)]

    assert terms("folded", "Dữ liệu") == ["du", "lieu"]
    assert terms("accented", "Dữ liệu") == ["dữ", "liệu"]
    assert terms("bigram", "Dữ liệu giao thông\nmới") == ["du lieu", "lieu giao", "giao thong"]
    assert terms("exact", "giao thông\x1fxe buýt") == ["giao thông", "xe buýt"]
