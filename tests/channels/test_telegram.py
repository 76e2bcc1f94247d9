"""The Telegram channel with the real python-telegram-bot against a fake Bot API on 127.0.0.1."""

from __future__ import annotations

import dataclasses
import datetime as dt
import asyncio
import socket

import pytest
from aiohttp.test_utils import TestClient, TestServer
from telegram import Bot, Update

from bot.channels.telegram import BUSY, build_application, build_webhook_app, deliver_due
from tests.channels.fake_telegram import FakeBotAPI
from tests.fakes.rasa import FakeRasa

CHAT = 987654
CARD_PAYLOAD = '/ask_documents{"procedure": "làm thẻ căn cước"}'  # more than 64 bytes in UTF-8
GREETING = [{
    "text": "Xin chào! Tôi là trợ lý hướng dẫn thủ tục hành chính.",
    "buttons": [
        {"title": "Làm thẻ căn cước", "payload": CARD_PAYLOAD},
        {"title": "Tra cứu hồ sơ", "payload": "/check_dossier"},
    ],
}]
CARD_ANSWER = [{"text": "Làm thẻ căn cước cần: tờ khai CC01, giấy khai sinh."}]
SECRET = "dung-bi-mat_123"


def _user() -> dict:
    return {"id": CHAT, "is_bot": False, "first_name": "Lan", "language_code": "vi"}


def _message(update_id: int, text: str, command: bool = False) -> dict:
    message = {"message_id": update_id, "date": 1700000000, "chat": {"id": CHAT, "type": "private"},
               "from": _user(), "text": text}
    if command:
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"update_id": update_id, "message": message}


def _callback(update_id: int, data: str) -> dict:
    return {"update_id": update_id, "callback_query": {
        "id": f"cb{update_id}", "from": _user(), "chat_instance": "ci", "data": data,
        "message": {"message_id": 100, "date": 1700000000, "chat": {"id": CHAT, "type": "private"},
                    "text": GREETING[0]["text"]}}}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
async def telegram_api():
    api = await FakeBotAPI().start()
    yield api
    await api.close()


@pytest.fixture
async def rasa():
    server = await FakeRasa({"/greet": GREETING, CARD_PAYLOAD: CARD_ANSWER}).start()
    yield server
    await server.close()


@pytest.fixture
def tg_settings(settings, telegram_api, rasa):
    return dataclasses.replace(settings, telegram_bot_token="123456:TEST-TOKEN", telegram_api_base=telegram_api.base,
                               rasa_port=rasa.port, telegram_webhook_secret=SECRET)


@pytest.fixture
async def app(tg_settings):
    application = build_application(tg_settings)
    await application.initialize()
    yield application
    await application.shutdown()
    await application.post_shutdown(application)


async def _process(app, data: dict) -> None:
    await app.process_update(Update.de_json(data, app.bot))


async def test_initialize_uses_the_fake_bot_api(app, telegram_api):
    assert telegram_api.calls[0][0] == "getMe"
    assert app.bot.username == "tthc_test_bot"


async def test_conversation_with_buttons(app, telegram_api, rasa):
    await _process(app, _message(1, "/start", command=True))
    assert rasa.received == [{"sender": f"telegram:{CHAT}", "message": "/greet"}]
    [greeting] = telegram_api.sent()
    assert int(greeting["chat_id"]) == CHAT
    assert greeting["text"].startswith("Xin chào!")
    rows = greeting["reply_markup"]["inline_keyboard"]
    assert [[b["text"] for b in row] for row in rows] == [["Làm thẻ căn cước"], ["Tra cứu hồ sơ"]]
    assert all(len(row[0]["callback_data"].encode()) <= 64 for row in rows)
    assert rows[1][0]["callback_data"] == "/check_dossier"

    await _process(app, _callback(2, rows[0][0]["callback_data"]))
    assert rasa.received[-1] == {"sender": f"telegram:{CHAT}", "message": CARD_PAYLOAD}
    assert telegram_api.sent("answerCallbackQuery")[0]["callback_query_id"] == "cb2"
    assert telegram_api.sent()[-1]["text"] == CARD_ANSWER[0]["text"]


async def test_typed_number_chooses_the_last_buttons(app, telegram_api, rasa):
    await _process(app, _message(1, "/start", command=True))
    await _process(app, _message(2, "2"))
    assert rasa.received[-1]["message"] == "/check_dossier"
    await _process(app, _message(3, "lam the can cuoc can gi"))
    assert rasa.received[-1] == {"sender": f"telegram:{CHAT}", "message": "lam the can cuoc can gi"}
    await _process(app, _message(4, "1"))  # the last reply had no buttons: "1" is just text
    assert rasa.received[-1]["message"] == "1"


async def test_long_reply_is_split(app, telegram_api, rasa):
    sentence = "Công dân mang theo giấy khai sinh bản chính và tờ khai đã điền đầy đủ thông tin. "
    long_text = "\n".join(sentence * 6 for _ in range(20))
    assert len(long_text) > 2 * 4096
    rasa.default = [{"text": long_text, "buttons": [{"title": "Có", "payload": "/affirm"}]}]
    await _process(app, _message(1, "cho toi biet het"))
    sent = telegram_api.sent()
    assert len(sent) >= 3
    assert all(len(m["text"]) <= 4096 for m in sent)
    assert "".join(m["text"] for m in sent).replace("\n", "").replace(" ", "") == \
        long_text.replace("\n", "").replace(" ", "")
    assert [bool(m.get("reply_markup")) for m in sent] == [False] * (len(sent) - 1) + [True]


async def test_rasa_down_gets_a_polite_answer(settings, telegram_api):
    s = dataclasses.replace(settings, telegram_bot_token="123456:TEST-TOKEN", telegram_api_base=telegram_api.base,
                            rasa_port=_free_port())
    application = build_application(s)
    await application.initialize()
    try:
        await _process(application, _message(1, "xin chao"))
    finally:
        await application.shutdown()
        await application.post_shutdown(application)
    assert [m["text"] for m in telegram_api.sent()] == [BUSY]


async def test_notification_delivered_once_and_marked_sent(app, telegram_api, services):
    assert services.outbox.enqueue("telegram", str(CHAT), "Hồ sơ H001 đã có kết quả.", "dossier:H001:done")
    assert await deliver_due(app.bot, services.outbox) == 1
    assert await deliver_due(app.bot, services.outbox) == 0
    [sent] = telegram_api.sent()
    assert (int(sent["chat_id"]), sent["text"]) == (CHAT, "Hồ sơ H001 đã có kết quả.")
    [row] = services.outbox.all()
    assert row.status == "sent" and row.attempts == 1


@pytest.mark.parametrize("status,description,parameters,retry_after", [
    (502, "Bad Gateway", {}, dt.timedelta(seconds=30)),  # a network error: the backoff
    (429, "Too Many Requests: retry after 600", {"retry_after": 600}, dt.timedelta(seconds=600)),  # as Telegram asks
    (429, "Too Many Requests: retry after 5", {"retry_after": 5}, dt.timedelta(seconds=30)),  # never before the backoff
    (403, "Forbidden: bot was blocked by the user", {}, None),  # retrying will not help: give up
    (400, "Bad Request: chat not found", {}, None),
])
async def test_send_errors_map_to_a_retry_time_or_giving_up(telegram_api, services, status, description,
                                                            parameters, retry_after):
    """Telegram's own part of a failure; the retry rules themselves are in test_outbox_delivery.

    A plain Bot, without the application's AIORateLimiter, which would wait out a
    429 itself before the error reaches the outbox.
    """
    services.outbox.enqueue("telegram", str(CHAT), "Hồ sơ H002 cần bổ sung giấy tờ.", "dossier:H002:supplement")
    telegram_api.refuse = {1: (status, description, parameters)}
    now = services.outbox.all()[0].created_at
    async with Bot("123456:TEST-TOKEN", base_url=f"{telegram_api.base}/bot") as bot:
        assert await deliver_due(bot, services.outbox, now=now) == 0
        [row] = services.outbox.all()
        assert row.status == "failed" and row.last_error
        if retry_after is None:
            assert services.outbox.due("telegram", now=now + dt.timedelta(days=365)) == []
        else:
            assert (row.attempts, row.next_attempt_at) == (1, now + retry_after)
            assert await deliver_due(bot, services.outbox, now=row.next_attempt_at) == 1
            assert services.outbox.all()[0].status == "sent"


async def test_long_notification_is_split(app, telegram_api, services):
    services.outbox.enqueue("telegram", str(CHAT), "Thông báo dài. " * 600, "long")
    assert await deliver_due(app.bot, services.outbox) == 1
    sent = telegram_api.sent()
    assert len(sent) == 3  # 9000 characters
    assert all(len(m["text"]) <= 4096 for m in sent)
    assert " ".join(m["text"] for m in sent) == ("Thông báo dài. " * 600).strip()


@pytest.fixture
async def webhook(app):
    client = TestClient(TestServer(build_webhook_app(app, SECRET), host="127.0.0.1"))
    await client.start_server()
    yield client
    await client.close()


@pytest.mark.parametrize("headers", [{}, {"X-Telegram-Bot-Api-Secret-Token": "sai-bi-mat"},
                                     {"X-Telegram-Bot-Api-Secret-Token": ""}])
async def test_webhook_refuses_a_wrong_or_missing_secret(webhook, rasa, telegram_api, headers):
    resp = await webhook.post("/telegram/webhook", json=_message(1, "xin chao"), headers=headers)
    assert resp.status == 403
    assert rasa.received == []
    assert telegram_api.sent() == []


async def test_webhook_processes_an_update_with_the_right_secret(webhook, rasa, telegram_api):
    resp = await webhook.post("/telegram/webhook", json=_message(1, "xin chao"),
                              headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
    assert resp.status == 200
    assert rasa.received == [{"sender": f"telegram:{CHAT}", "message": "xin chao"}]
    assert telegram_api.sent()[0]["text"] == "Tôi đã nhận câu hỏi."


@pytest.mark.parametrize("secret", ["", "có dấu", "x" * 257])
def test_webhook_needs_a_valid_secret(tg_settings, secret):
    with pytest.raises(ValueError):
        build_webhook_app(build_application(tg_settings), secret)


async def _until(condition, rounds: int = 500) -> None:
    for _ in range(rounds):
        if condition():
            return
        await asyncio.sleep(0.02)


async def test_long_polling_and_the_notification_task(tg_settings, telegram_api, rasa, services):
    """The real updater fetches /start from getUpdates; the post_init task sends a queued notification."""
    telegram_api.updates = [_message(1, "/start", command=True)]
    services.outbox.enqueue("telegram", str(CHAT), "Hồ sơ H003 đã được tiếp nhận.", "dossier:H003:received")
    application = build_application(tg_settings, outbox=services.outbox)
    await application.initialize()
    await application.post_init(application)
    await application.updater.start_polling(poll_interval=0.01, timeout=0)
    await application.start()
    try:
        await _until(lambda: len(telegram_api.sent()) >= 2 and services.outbox.all()[0].status == "sent")
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()
        await application.post_shutdown(application)
    assert rasa.received == [{"sender": f"telegram:{CHAT}", "message": "/greet"}]
    texts = sorted(m["text"] for m in telegram_api.sent())
    assert texts == sorted([GREETING[0]["text"], "Hồ sơ H003 đã được tiếp nhận."])
    assert services.outbox.all()[0].status == "sent"
    assert telegram_api.sent("getUpdates")
