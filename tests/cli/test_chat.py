"""`bot chat` against a fake Rasa on 127.0.0.1."""

from __future__ import annotations

import pytest

from bot.cli.chat import converse
from bot.cli.errors import CommandError
from bot.core.delivery import NO_REPLY
from tests.e2e.servers import free_port
from tests.fakes.rasa import FakeRasa

GREETING = [{"text": "Xin chào!", "buttons": [{"title": "Lệ phí", "payload": "/ask_fee"},
                                              {"title": "Nộp ở đâu", "payload": "/ask_location"}]}]


def _typed(*lines):
    answers = iter(lines)

    def read(prompt):
        try:
            return next(answers)
        except StopIteration:
            raise EOFError from None

    return read


async def test_chat_prints_replies_and_a_typed_number_taps_a_button():
    rasa = await FakeRasa({"chào": GREETING, "im lặng": []}).start()
    printed = []
    try:
        assert await converse(rasa.base, _typed("chào", "2", "im lặng", "/thoat", "never sent"), printed.append) == 0
    finally:
        await rasa.close()
    assert [m["message"] for m in rasa.received] == ["chào", "/ask_location", "im lặng"]
    assert printed[1] == "Xin chào!\n  [1] Lệ phí\n  [2] Nộp ở đâu"
    assert printed[2] == "Tôi đã nhận câu hỏi."
    assert printed[3] == NO_REPLY


async def test_chat_without_the_assistant_says_how_to_start_it():
    with pytest.raises(CommandError, match="make run"):
        await converse(f"http://127.0.0.1:{free_port()}", _typed("chào"), lambda _: None)


def test_only_the_buttons_a_typed_number_picks_are_numbered():
    from bot.cli.chat import render
    from bot.core.delivery import Button, Reply

    replies = [Reply("Trả lời.", (Button("Giấy tờ", "/ask_documents"),)),
               Reply("Đánh giá?", (Button("Rất hài lòng", '/rate{"rating": 5}'), Button("Hài lòng", "/rate")))]
    assert render(replies) == "Trả lời.\n  - Giấy tờ\nĐánh giá?\n  [1] Rất hài lòng\n  [2] Hài lòng"
