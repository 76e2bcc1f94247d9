"""The Zalo channel inside the real Rasa server (credentials.yml), replying to a fake Zalo API on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import urllib.error
import urllib.request

import pytest

from bot.core.zalo_signature import signature
from tests.channels.fake_zalo import TOKEN, FakeZaloAPI
from tests.e2e.servers import MODEL, start_assistant

APP_ID = "4312298743211234"
SECRET = "oa-secret-key-for-tests"
OA_ID = "579745863508352884"


class ApiInThread:
    """The fake API on its own event loop, so synchronous test code can poll it."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.api: FakeZaloAPI = self._run(FakeZaloAPI().start())

    def _run(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(30)

    def close(self) -> None:
        self._run(self.api.close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


@pytest.fixture(scope="module")
def zalo(tmp_path_factory):
    if not MODEL.exists():
        pytest.fail("models/tthc.tar.gz is missing: run `make model` (make test does it)")
    fake = ApiInThread()
    running = start_assistant(tmp_path_factory.mktemp("zalo"), extra_env={
        "ZALO_APP_ID": APP_ID, "ZALO_OA_SECRET_KEY": SECRET, "ZALO_ACCESS_TOKEN": TOKEN,
        "ZALO_API_BASE": fake.api.base,
    })
    yield running, fake.api
    running.stop()
    fake.close()


def _event(name: str, user: str, text: str, msg_id: str) -> dict:
    sender, recipient = (user, OA_ID) if name.startswith("user_") else (OA_ID, user)
    return {"app_id": APP_ID, "user_id_by_app": "9" + user, "event_name": name,
            "sender": {"id": sender}, "recipient": {"id": recipient},
            "message": {"text": text, "msg_id": msg_id}, "timestamp": str(int(time.time() * 1000))}


def _post(url: str, event: dict, signature_header: str | None) -> tuple[int, dict]:
    raw = json.dumps(event, ensure_ascii=False).encode("utf-8")
    headers = {"Content-Type": "application/json"}
    if signature_header is not None:
        headers["X-ZEvent-Signature"] = signature_header
    request = urllib.request.Request(f"{url}/webhooks/zalo/webhook", data=raw, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def _signed(url: str, event: dict) -> tuple[int, dict]:
    raw = json.dumps(event, ensure_ascii=False).encode("utf-8")
    return _post(url, event, signature(APP_ID, raw, event["timestamp"], SECRET))


def _wait_for(predicate, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.5)
    return predicate()


QUESTION = "làm thẻ căn cước cần giấy tờ gì"  # the first piece of its answer names the procedure code
ANSWER_MARK = "1.014061"


def _sent_before_a_later_question(running, api, user: str, msg_id: str) -> list[dict]:
    """What `user` received before the answer to a signed question sent now.

    Rasa handles one sender's messages in the order they arrived (a ticket lock per
    conversation), so once this question is answered, anything an earlier request
    from `user` set going has been sent: no fixed sleep is needed to see it.
    """
    assert _signed(running.url, _event("user_send_text", user, QUESTION, msg_id)) == (200, {"status": "ok"})

    def before_the_answer():
        calls = api.to(user)
        for index, call in enumerate(calls):
            if ANSWER_MARK in json.dumps(call, ensure_ascii=False):
                return (calls[:index],)  # a tuple: an empty list before the answer is still a result
        return None

    answered = _wait_for(before_the_answer)
    assert answered, f"the later question got no answer; {user} received {api.to(user)}"
    return answered[0]


def test_unsigned_and_wrongly_signed_requests_are_refused(zalo):
    running, api = zalo
    event = _event("user_send_text", "1001", "xin chào", "u-1")
    assert _post(running.url, event, None)[0] == 401
    raw = json.dumps(event, ensure_ascii=False).encode("utf-8")
    assert _post(running.url, event, signature(APP_ID, raw, event["timestamp"], "wrong-secret"))[0] == 401
    assert _post(running.url, event, "mac=" + "0" * 64)[0] == 401
    other_app = dict(event, app_id="999")
    raw_other = json.dumps(other_app, ensure_ascii=False).encode("utf-8")
    assert _post(running.url, other_app, signature("999", raw_other, event["timestamp"], SECRET))[0] == 401
    assert _sent_before_a_later_question(running, api, "1001", "u-1-later") == [] and api.refused == []


def test_signed_question_is_answered_with_query_buttons(zalo):
    running, api = zalo
    started = time.monotonic()
    status, body = _signed(running.url, _event("user_send_text", "2002", "làm thẻ căn cước cần giấy tờ gì", "u-2"))
    assert (status, body) == (200, {"status": "ok"})
    assert time.monotonic() - started < 30  # answered before the assistant works (generous bound)

    def answered():
        calls = api.to("2002")
        return calls if any("1.014061" in json.dumps(c, ensure_ascii=False) for c in calls) else None

    calls = _wait_for(answered)
    assert calls, f"no answer mentioning 1.014061; got {api.to('2002')}"
    with_buttons = [c for c in calls if "attachment" in c["message"]]
    assert with_buttons
    for call in with_buttons:
        buttons = call["message"]["attachment"]["payload"]["buttons"]
        assert 1 <= len(buttons) <= 5
        assert all(b["type"] == "oa.query.show" and b["title"] and len(b["title"]) <= 100 for b in buttons)
        assert all(not b["payload"].startswith("/") for b in buttons)  # citizens never see intent syntax
    assert all(len(c["message"]["text"]) <= 2000 for c in calls)

    # typing a button's number continues the conversation
    before = len(api.to("2002"))
    assert _signed(running.url, _event("user_send_text", "2002", "1", "u-3"))[0] == 200
    assert _wait_for(lambda: len(api.to("2002")) > before), "no reply to a typed button number"


def test_echoes_and_other_events_are_acknowledged_and_ignored(zalo):
    running, api = zalo
    assert _signed(running.url, _event("oa_send_text", "3003", "Tin nhắn của OA", "o-1")) == (200, {"status": "ok"})
    assert _signed(running.url, _event("user_send_sticker", "3003", "", "u-4")) == (200, {"status": "ok"})
    assert _sent_before_a_later_question(running, api, "3003", "u-4-later") == []
    assert api.to(OA_ID) == []  # an echo taken for a message from the OA would be answered to the OA


def test_without_zalo_settings_rasa_still_starts_and_the_channel_says_so(tmp_path):
    if not MODEL.exists():
        pytest.fail("models/tthc.tar.gz is missing: run `make model` (make test does it)")
    running = start_assistant(tmp_path, extra_env={
        "ZALO_APP_ID": "", "ZALO_OA_SECRET_KEY": "", "ZALO_ACCESS_TOKEN": "", "ZALO_API_BASE": "http://127.0.0.1:9"})
    try:
        assert running.say("khong-zalo", "xin chào")  # the REST channel keeps working
        status, body = _post(running.url, _event("user_send_text", "4004", "xin chào", "u-5"), None)
        assert status == 503 and "ZALO_OA_SECRET_KEY" in body["message"]
    finally:
        running.stop()
