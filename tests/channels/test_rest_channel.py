"""The guarded REST channel over real HTTP (Sanic on 127.0.0.1) with a stand-in for the assistant."""

from __future__ import annotations

import json
import logging

import aiohttp
import pytest

from bot.channels.rest import MAX_BODY_BYTES, SORRY, GuardedRestInput
from bot.core.inbound import MAX_MESSAGE_CHARS, MESSAGE_TOO_LONG
from tests.channels.sanic_server import ChannelServer
from tests.hostile_corpus import corpus

CORPUS = corpus("sender", "message")

WEBHOOK = "/webhooks/rest/webhook"


class Assistant:
    """Answers "Bạn hỏi: <text>"; `fail` makes it raise after `said_before_failing` replies."""

    def __init__(self):
        self.received: list = []
        self.fail = False
        self.said_before_failing = 0

    async def __call__(self, message) -> None:
        self.received.append(message)
        if self.fail:
            for i in range(self.said_before_failing):
                await message.output_channel.send_text_message(message.sender_id, f"phần {i}")
            raise RuntimeError("the assistant broke")
        await message.output_channel.send_text_message(message.sender_id, f"Bạn hỏi: {message.text}")


@pytest.fixture
async def rest():
    assistant = Assistant()
    server = await ChannelServer(GuardedRestInput.from_credentials(None), assistant).start()
    async with aiohttp.ClientSession() as http:
        yield server, assistant, http
    await server.close()


async def _post(http, server, raw: bytes, content_type: str = "application/json"):
    async with http.post(server.url + WEBHOOK, data=raw, headers={"Content-Type": content_type}) as response:
        return response.status, await response.json(content_type=None)


async def test_a_good_message_is_answered_like_rasas_rest_channel(rest):
    server, assistant, http = rest
    status, body = await _post(http, server, json.dumps({"sender": "a", "message": "xin chào"}).encode())
    assert status == 200
    assert body == [{"recipient_id": "a", "text": "Bạn hỏi: xin chào"}]
    (message,) = assistant.received
    assert (message.sender_id, message.input_channel) == ("a", "rest")


async def test_json_sent_as_a_form_by_curl_is_still_read(rest):
    server, _, http = rest
    status, body = await _post(http, server, b'{"sender": "a", "message": "hi"}', "application/x-www-form-urlencoded")
    assert (status, body[0]["text"]) == (200, "Bạn hỏi: hi")


async def test_the_health_route_answers(rest):
    server, _, http = rest
    async with http.get(server.url + "/webhooks/rest/") as response:
        assert (response.status, await response.json()) == (200, {"status": "ok"})


@pytest.mark.parametrize("name, raw, content_type", CORPUS, ids=[case[0] for case in CORPUS])
async def test_the_hostile_corpus_gets_no_5xx_and_the_assistant_answers_afterwards(rest, name, raw, content_type):
    server, assistant, http = rest
    status, body = await _post(http, server, raw, content_type)
    assert status < 500, (name, status, body)
    if status >= 400:
        assert set(body) == {"error", "message"} and body["message"], name
    else:
        assert isinstance(body, list) and body, name
    for message in assistant.received:  # whatever reached the assistant can be stored and logged
        message.text.encode("utf-8")
        assert "\x00" not in message.text and len(message.text) <= MAX_MESSAGE_CHARS
    status, body = await _post(http, server, json.dumps({"sender": "b", "message": "xin chào"}).encode())
    assert (status, body[0]["text"]) == (200, "Bạn hỏi: xin chào")


@pytest.mark.parametrize("raw, status, error", [
    (b"", 400, "empty_body"),
    (b"[1]", 400, "invalid_shape"),
    (b"[" * 100 + b"]" * 100, 400, "too_deep"),
    (b'{"message": "hi"}', 400, "invalid_sender"),
    (json.dumps({"sender": "s" * 129, "message": "hi"}).encode(), 400, "invalid_sender"),
    (b'{"sender": "a", "message": ["hi"]}', 400, "invalid_message"),
    (b'{"sender": "a"}', 400, "invalid_message"),
    (b'{"sender": "a", "message": "' + b"x" * MAX_BODY_BYTES + b'"}', 413, "too_large"),
])
async def test_each_refusal_names_its_reason_in_vietnamese(rest, raw, status, error):
    server, assistant, http = rest
    got, body = await _post(http, server, raw)
    assert (got, body["error"]) == (status, error)
    assert assistant.received == []


async def test_a_declared_length_over_the_cap_is_refused_before_the_body_is_read(rest):
    server, assistant, http = rest

    async def endless():
        for _ in range(10 * 1024):
            yield b"x" * 1024

    async with http.post(server.url + WEBHOOK, data=endless(), headers={"Content-Length": str(10 * 1024 * 1024)}) as r:
        assert r.status == 413
    async with http.post(server.url + WEBHOOK, data=endless()) as chunked:  # no length: refused while reading
        assert chunked.status == 413
    assert assistant.received == []


async def test_nul_and_lone_surrogates_are_cleaned_before_the_assistant_sees_them(rest):
    server, assistant, http = rest
    status, _ = await _post(http, server, json.dumps({"sender": "a", "message": "làm\x00 căn cước \ud800"}).encode())
    assert status == 200
    assert assistant.received[0].text == "làm căn cước \ufffd"


async def test_a_too_long_message_gets_a_polite_reply_and_never_reaches_the_nlu(rest):
    server, assistant, http = rest
    status, body = await _post(http, server, json.dumps({"sender": "a", "message": "x" * 10_000}).encode())
    assert (status, body) == (200, [{"recipient_id": "a", "text": MESSAGE_TOO_LONG}])
    assert assistant.received == []


async def test_a_numeric_sender_is_taken_as_rasa_took_it(rest):
    server, assistant, http = rest
    status, _ = await _post(http, server, b'{"sender": 42, "message": "hi"}')
    assert status == 200 and assistant.received[0].sender_id == "42"


async def test_when_the_assistant_fails_the_client_gets_an_apology_and_the_log_no_text(rest, caplog):
    server, assistant, http = rest
    assistant.fail = True
    with caplog.at_level(logging.ERROR, logger="bot.channels.rest"):
        status, body = await _post(http, server, json.dumps({"sender": "a", "message": "SĐT 0912345678"}).encode())
    assert (status, body) == (200, [{"recipient_id": "a", "text": SORRY}])
    assert "0912345678" not in caplog.text and "could not handle" in caplog.text
    assistant.said_before_failing = 2
    status, body = await _post(http, server, json.dumps({"sender": "a", "message": "tiếp"}).encode())
    assert (status, [m["text"] for m in body]) == (200, ["phần 0", "phần 1"])
