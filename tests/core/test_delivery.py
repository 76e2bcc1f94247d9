"""Delivery rules: splitting to a channel's limit, typed replies and buttons, numbered choices."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.core.delivery import (
    NO_REPLY,
    BoundedMemory,
    Button,
    Reply,
    choice_from_text,
    count_words,
    latest_buttons,
    numbered_options,
    parse_buttons,
    parse_replies,
    payload,
    split_text,
)


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


def test_split_counts_words_when_asked():
    text = "Một hai ba. Bốn năm sáu.\nBảy tám."
    assert split_text(text, 6, size=count_words) == ["Một hai ba. Bốn năm sáu.", "Bảy tám."]
    assert split_text("a b c\nd e\nf", 5, size=count_words) == ["a b c\nd e", "f"]
    assert split_text("x" * 250, 1, size=count_words) == ["x" * 250]  # a word is one word


def test_a_long_line_starts_a_piece_of_its_own_unless_it_fits_whole():
    text = "Mở đầu ngắn.\nCâu một dài dài. Câu hai dài dài. Câu ba."
    assert split_text(text, 35) == ["Mở đầu ngắn.", "Câu một dài dài. Câu hai dài dài.", "Câu ba."]


# --- what Rasa says ----------------------------------------------------------

def test_replies_become_typed_and_malformed_items_are_dropped():
    data = [
        {"recipient_id": "x", "text": "Xin chào!", "buttons": [{"title": "Lệ phí", "payload": "/ask_fee"}]},
        {"image": "x.png"},
        "not a dict",
        {"text": 5, "buttons": [{"title": 1}]},
        {"text": "   "},
        {"text": "", "buttons": [{"title": "Có", "payload": "/affirm"}]},
    ]
    assert parse_replies(data) == [
        Reply("Xin chào!", (Button("Lệ phí", "/ask_fee"),)),
        Reply("", (Button("Có", "/affirm"),)),
    ]
    assert parse_replies({"text": "not a list"}) == [] and parse_replies(None) == []


def test_a_button_needs_a_title_or_a_payload_and_borrows_the_missing_one():
    items = [
        {"title": "Lệ phí", "payload": "/ask_fee"},
        {"title": "Chỉ có tên"},
        {"payload": "/greet"},
        {"title": "  ", "payload": "/deny"},
        {"title": "", "payload": ""},
        {"title": 1, "payload": 2},
        "Lệ phí",
    ]
    assert parse_buttons(items) == [
        Button("Lệ phí", "/ask_fee"), Button("Chỉ có tên", "Chỉ có tên"), Button("/greet", "/greet"),
        Button("/deny", "/deny"),
    ]
    assert parse_buttons(None) == []


def test_payloads_are_what_rasa_parses_as_an_intent_with_entities():
    assert payload("show_more") == "/show_more"
    assert payload("ask_documents", procedure_code="1.001193") == '/ask_documents{"procedure_code": "1.001193"}'
    assert payload("pick", name="căn cước", n=2) == '/pick{"name": "căn cước", "n": 2}'
    assert NO_REPLY.startswith("Xin lỗi")


def test_bounded_memory_forgets_the_least_recently_remembered():
    memory = BoundedMemory(size=2)
    memory.remember("a", 1)
    memory.remember("b", 2)
    memory.remember("a", 3)  # "a" is now the most recent
    memory.remember("c", 4)
    assert "b" not in memory and len(memory) == 2
    assert memory.get("a") == 3 and memory.get("b") is None and memory.get("b", []) == []
    assert memory.forget("a") == 3 and memory.forget("a", "gone") == "gone"


# --- characterization on the real catalog: every aspect of every procedure ------

@pytest.fixture(scope="module")
def catalog_texts():
    """(lines, pages) of every aspect of every catalog procedure, as answer() renders them."""
    from bot.core import answers
    from bot.core.catalog import load_catalog
    from bot.settings import PROJECT_ROOT

    rendered = []
    real_paginate = answers.paginate
    seen: list[list[str]] = []

    def spy(lines, *args, **kwargs):
        seen.append(list(lines))
        return real_paginate(lines, *args, **kwargs)

    answers.paginate = spy
    try:
        for procedure in load_catalog(PROJECT_ROOT / "data" / "procedures"):
            for aspect in answers.ASPECTS:
                pages = answers.answer(procedure, aspect, dt.date(2025, 1, 1)).pages
                rendered.append((seen.pop(), list(pages)))
    finally:
        answers.paginate = real_paginate
    return rendered


def test_catalog_pages_keep_every_word_and_short_lines_whole(catalog_texts):
    from bot.core.answers import MAX_WORDS_PER_MESSAGE

    assert len(catalog_texts) > 400
    for lines, pages in catalog_texts:
        assert pages and all(count_words(page) <= MAX_WORDS_PER_MESSAGE for page in pages)
        assert " ".join(pages).split() == " ".join(lines).split()
        page_lines = [line for page in pages for line in page.split("\n")]
        for line in lines:
            if count_words(line) <= MAX_WORDS_PER_MESSAGE:
                assert line in page_lines, line


@pytest.mark.parametrize("limit", [4096, 2000, 100])
def test_catalog_texts_split_to_channel_limits_without_losing_a_word(catalog_texts, limit):
    texts = ["\n".join(pages) for _, pages in catalog_texts]
    texts.append("\n".join(texts))  # one text far longer than any limit
    for text in texts:
        pieces = split_text(text, limit)
        assert all(0 < len(piece) <= limit for piece in pieces)
        assert " ".join(pieces).split() == text.split()
        piece_lines = {line for piece in pieces for line in piece.split("\n")}
        assert all(line in piece_lines for line in text.split("\n") if len(line) <= limit)


def test_a_typed_number_means_the_buttons_of_the_latest_reply_that_had_buttons():
    aspects = Reply("Lệ phí: 0 đồng.", (Button("Giấy tờ", "/ask_documents"), Button("Nộp ở đâu", "/ask_location")))
    rating = Reply("Bạn có hài lòng?", (Button("Rất hài lòng", '/rate{"rating": 5}'),))
    plain = Reply("Không có gì ạ.")
    assert latest_buttons([aspects, plain]) == aspects.buttons
    assert latest_buttons([aspects, rating]) == rating.buttons  # never a mix numbered 1..3
    assert latest_buttons([plain]) == ()
    assert choice_from_text("1", latest_buttons([aspects, plain])) == "/ask_documents"
