"""Vietnamese syllable shape and letter soup (bot/core/syllables.py)."""

from __future__ import annotations

import pytest

from bot.core.syllables import is_vietnamese_syllable, looks_like_letter_soup, unknown_words

KNOWN = frozenset({"cccd", "vneid", "online"})


@pytest.mark.parametrize("word", [
    "nghiêng", "nghieng", "khuyến", "khuyen", "người", "nguoi", "đăng", "dang", "quyết", "giấy", "gì", "ừm",
    "à", "thường", "trú", "hộ", "chiếu", "xoay", "ngoằn", "khuỷu", "Tỉnh", "ĐƯỢC",
])
def test_vietnamese_words_have_the_shape_of_a_syllable(word):
    assert is_vietnamese_syllable(word)


@pytest.mark.parametrize("word", ["asdf", "qwer", "zxcv", "xyzzy", "plugh", "blablabla", "hihi", "jkjk", "cccd", "ok"])
def test_mashing_and_foreign_words_do_not(word):
    assert not is_vietnamese_syllable(word)


@pytest.mark.parametrize("text", ["asdf qwer zxcv", "xyzzy plugh", "blablabla", "dhsjdh ksjd", "jkjkjk hdhd ơi"])
def test_letter_soup(text):
    assert looks_like_letter_soup(text, KNOWN)


@pytest.mark.parametrize("text", [
    "lam cccd can gi", "đăng ký kết hôn cần gì", "ừm à thì là mà", "vneid ơi", "làm online được không",
    "ho so H23.45-250101-0001 den dau roi", "0912 345 678", "😀😀", "?", "", "a b c",
    "asdf lam cccd can gi",  # one stray word among a real question
])
def test_questions_and_empty_text_are_not_letter_soup(text):
    assert not looks_like_letter_soup(text, KNOWN)


def test_codes_phone_numbers_and_single_letters_are_not_weighed():
    assert unknown_words("k H23.45-250101-0001 0912345678 qwer", KNOWN) == (["qwer"], 1)
    assert unknown_words("CCCD Online", KNOWN) == ([], 2)
