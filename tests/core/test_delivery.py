from __future__ import annotations

import pytest

from bot.core.delivery import Button, choice_from_text, numbered_options, split_text


def test_short_text_is_one_piece():
    assert split_text("Xin chào.", 100) == ["Xin chào."]


def test_split_prefers_line_then_sentence_boundaries():
    text = "Dòng một rất dài. Câu hai.\nDòng hai.\nDòng ba cũng dài hơn."
    pieces = split_text(text, 30)
    assert all(len(p) <= 30 for p in pieces)
    assert " ".join(" ".join(pieces).split()) == " ".join(text.split())
    assert pieces[0] == "Dòng một rất dài. Câu hai."


def test_split_never_loses_words_of_a_long_text():
    text = ("Giấy tờ cần chuẩn bị gồm tờ khai và giấy chứng sinh. " * 200).strip()
    pieces = split_text(text, 4096)
    assert len(pieces) >= 3 and all(len(p) <= 4096 for p in pieces)
    assert " ".join(pieces).split() == text.split()


def test_split_cuts_an_unbroken_run():
    pieces = split_text("x" * 250, 100)
    assert pieces == ["x" * 100, "x" * 100, "x" * 50]


def test_split_rejects_a_bad_limit():
    with pytest.raises(ValueError):
        split_text("abc", 0)


def test_numbered_options_and_typed_choice():
    buttons = [Button("Lệ phí", "/ask_fee"), Button("Nộp ở đâu", "/ask_location"), Button("Mẫu đơn", "/ask_form")]
    text = numbered_options(buttons)
    assert text.splitlines()[0] == "Gõ 1, 2 hoặc 3 để chọn:"
    assert "2. Nộp ở đâu" in text
    assert choice_from_text(" 2 ", buttons) == "/ask_location"
    assert choice_from_text("4", buttons) is None
    assert choice_from_text("hai", buttons) is None
    assert numbered_options([]) == ""
