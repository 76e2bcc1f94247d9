"""End to end through the real Rasa server, action server and catalog database."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid

import pytest

pytestmark = pytest.mark.model


def _text(replies: list[dict]) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def _buttons(replies: list[dict]) -> list[dict]:
    return [b for r in replies for b in (r.get("buttons") or [])]


def _sender() -> str:
    return f"test-{uuid.uuid4().hex[:8]}"


def test_documents_then_fee_follow_up(assistant):
    sender = _sender()
    replies = assistant.say(sender, "lam giay khai sinh can giay to gi")
    text = _text(replies)
    assert "Đăng ký khai sinh" in text and "1.001193" in text
    assert "Giấy chứng sinh" in text
    assert "thông tin kiểm tra ngày" in text
    follow = _text(assistant.say(sender, "thế lệ phí thì sao"))
    assert "1.001193" in follow and "lệ phí" in follow.lower()
    place = _text(assistant.say(sender, "nộp ở đâu?"))
    assert "1.001193" in place and "Nơi nộp" in place


def test_other_aspect_buttons_answer_that_aspect(assistant):
    sender = _sender()
    replies = assistant.say(sender, "đổi gplx mất bao lâu")
    assert "3.000347" in _text(replies)
    fee_buttons = [b for b in _buttons(replies) if b["title"] == "Lệ phí"]
    if not fee_buttons:  # the answer has more pages: page through first
        while any(b["title"] == "Xem thêm" for b in _buttons(replies)):
            replies = assistant.say(sender, "/show_more")
        fee_buttons = [b for b in _buttons(replies) if b["title"] == "Lệ phí"]
    assert fee_buttons
    fee = _text(assistant.say(sender, fee_buttons[0]["payload"]))
    assert "3.000347" in fee


def test_show_more_pages_through_a_long_answer(assistant):
    sender = _sender()
    replies = assistant.say(sender, "làm khai sinh cần giấy tờ gì")
    seen = _text(replies)
    for _ in range(10):
        if not any(b["title"] == "Xem thêm" for b in _buttons(replies)):
            break
        replies = assistant.say(sender, "/show_more")
        seen += _text(replies)
    assert "Giấy chứng sinh" in seen and "Nguồn:" in seen


def test_unknown_procedure_is_said_plainly(assistant):
    text = _text(assistant.say(_sender(), "thủ tục xin visa du lịch Mỹ cần giấy tờ gì"))
    assert "chưa tìm thấy" in text or "chỉ hướng dẫn thủ tục" in text or "chưa hiểu" in text
    assert "mã " not in text  # never an answer about another procedure


def test_choice_then_deny_moves_on(assistant):
    sender = _sender()
    codes = json.dumps({"procedure_code": "1.001193"})
    replies = assistant.say(sender, f"/choose_procedure{codes}")
    assert "1.001193" in _text(replies)
    replies = assistant.say(sender, "không phải")
    assert _text(replies)


@pytest.mark.parametrize(
    "message",
    ["", "   ", "x" * 10_000, "😀😀😀", "<script>alert(1)</script>", "'; DROP TABLE procedures; --",
     "Привет 你好 khai sinh", "/ask_fee{\"procedure_code\": \"9.999999\"}", "/choose_procedure{bad json"],
)
def test_bad_input_gets_a_polite_reply_and_the_next_question_works(assistant, message):
    sender = _sender()
    status, body = assistant.post("/webhooks/rest/webhook", {"sender": sender, "message": message})
    assert status == 200
    assert isinstance(body, list)
    assert all("Traceback" not in (r.get("text") or "") for r in body)
    after = _text(assistant.say(sender, "đăng ký kết hôn cần giấy tờ gì"))
    assert "1.000894" in after


def test_the_http_api_needs_the_token_the_webhook_does_not(assistant):
    sender = _sender()
    assistant.say(sender, "lam giay khai sinh can giay to gi")
    tracker = f"{assistant.url}/conversations/{sender}/tracker"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(tracker, timeout=10)
    assert refused.value.code == 401
    with urllib.request.urlopen(f"{tracker}?token={assistant.env['RASA_API_TOKEN']}", timeout=10) as response:
        assert json.loads(response.read())["slots"]["procedure_code"] == "1.001193"


def _chat(assistant, *lines: str) -> list[str]:
    """Talk through `bot chat` (a channel that maps a typed number to a button) to the real servers;
    what it printed after each line."""
    import asyncio

    from bot.cli.chat import converse

    printed: list[str] = []
    typed = iter(lines)

    def read(prompt):
        try:
            return next(typed)
        except StopIteration:
            raise EOFError from None

    asyncio.run(converse(assistant.url, read, printed.append))
    return printed[1:]  # the first line is the usage hint


def test_a_typed_one_after_an_answer_picks_the_first_aspect_and_thanks_offer_the_rating(assistant):
    answer, documents, thanks, rated = _chat(
        assistant, "lệ phí làm giấy khai sinh bao nhiêu", "1", "cảm ơn bạn", "1")
    assert "1.001193" in answer and "hài lòng" not in answer  # no rating competing with the aspects
    assert "[1] Giấy tờ cần mang" in answer
    assert "1.001193" in documents and "Giấy chứng sinh" in documents  # "1" asked for the documents
    assert "Không có gì" in thanks and "[1] Rất hài lòng" in thanks  # the rating, now the only choice
    assert "Cảm ơn bạn đã đánh giá" in rated
    again = _text(assistant.say(_sender(), "cảm ơn"))
    assert "hài lòng" not in again  # nothing answered in that conversation: nothing to rate


def test_a_half_understood_question_names_the_procedure_with_its_aspects(assistant):
    # "dang ky ket hon can gi" fell back (nlu_fallback 0.45, entity "ket hon") before issue 13: now it lists
    # the documents of Đăng ký kết hôn.
    text = _text(assistant.say(_sender(), "dang ky ket hon can gi"))
    assert "chưa hiểu" not in text and "Đăng ký kết hôn" in text and "1.000894" in text
    assert "Giấy tờ cần chuẩn bị" in text
    # A procedure named alone gets its aspects as buttons; a typed "1" picks the first.
    (offered,) = _chat(assistant, "ket hon")
    assert "chưa hiểu" not in offered and "Đăng ký kết hôn" in offered and "[1] Giấy tờ cần mang" in offered
    offered, documents = _chat(assistant, "ho chieu", "1")
    assert "chưa hiểu" not in offered and "hộ chiếu" in offered and "[1] Giấy tờ cần mang" in offered
    assert "1.001456" in documents


def test_an_aspect_without_a_procedure_asks_which_and_a_number_answers_it(assistant):
    asked, answered = _chat(assistant, "can gi", "1")
    assert "Giấy tờ cần mang" in asked and "thủ tục nào" in asked and "[1] " in asked
    assert "1.014061" in answered  # the first of the most asked (data/kiosk.yml), its documents
