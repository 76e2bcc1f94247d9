"""The Zalo webhook's guards over real HTTP (Sanic on 127.0.0.1): body cap and signature before
parsing, the timestamp window, message ids stored in the database across a restart, and no 5xx
for hostile signed or unsigned bodies. The assistant is a stand-in; replies go to a fake Zalo API."""

from __future__ import annotations

import asyncio
import datetime as dt
import json

import aiohttp
import pytest

import bot.channels.zalo as zalo_channel
from bot.channels.zalo import MAX_BODY_BYTES, ZaloInput, keep_events_for
from bot.core.inbound import MAX_MESSAGE_CHARS, MESSAGE_TOO_LONG
from bot.core.zalo_signature import signature
from bot.db.engine import make_engine, upgrade
from bot.db.event_store import ProcessedEventStore
from tests.channels.fake_zalo import TOKEN, FakeZaloAPI
from tests.channels.sanic_server import ChannelServer
from tests.core.times import utc
from tests.hostile_corpus import raw_cases

APP_ID = "4312298743211234"
SECRET = "oa-secret-key-for-tests"
NOW = utc(2026, 3, 2, 9, 30)
WEBHOOK = "/webhooks/zalo/webhook"


def stamp(when: dt.datetime) -> str:
    return str(int(when.timestamp() * 1000))


def event(user: str = "1001", text: str = "xin chào", msg_id: str = "m-1", when: dt.datetime = NOW, **over) -> dict:
    body = {"app_id": APP_ID, "user_id_by_app": "9" + user, "event_name": "user_send_text",
            "sender": {"id": user}, "recipient": {"id": "579745863508352884"},
            "message": {"text": text, "msg_id": msg_id}, "timestamp": stamp(when)}
    body.update(over)
    return body


def signed(body: dict | bytes, timestamp: str | None = None, secret: str = SECRET) -> tuple[bytes, dict]:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")  # \ud800 travels escaped
    timestamp = timestamp if timestamp is not None else body["timestamp"]
    return raw, {"X-ZEvent-Signature": signature(APP_ID, raw, timestamp, secret)}


class Assistant:
    def __init__(self):
        self.received: list = []

    async def __call__(self, message) -> None:
        self.received.append(message)


class Zalo:
    """A Zalo channel on a real Sanic server with its processed ids in `engine`; `restart()` makes a new one."""

    def __init__(self, engine, api: FakeZaloAPI):
        self.engine, self.api = engine, api
        self.assistant = Assistant()
        self.clock = lambda: NOW
        self.server: ChannelServer | None = None

    async def start(self) -> "Zalo":
        channel = ZaloInput(APP_ID, SECRET, TOKEN, self.api.base, window_seconds=300, clock=lambda: self.clock(),
                            events=lambda: ProcessedEventStore(self.engine, clock=lambda: self.clock()))
        self.server = await ChannelServer(channel, self.assistant).start()
        self.http = aiohttp.ClientSession()
        return self

    async def restart(self) -> None:
        await self.close()
        await self.start()

    async def post(self, raw: bytes, headers: dict | None = None) -> tuple[int, dict]:
        async with self.http.post(self.server.url + WEBHOOK, data=raw,
                                  headers={"Content-Type": "application/json", **(headers or {})}) as response:
            return response.status, await response.json(content_type=None)

    async def settled(self) -> None:
        """Let the background processing of accepted events run."""
        for _ in range(20):
            await asyncio.sleep(0.01)

    async def close(self) -> None:
        await self.http.close()
        await self.server.close()


@pytest.fixture
async def zalo(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'zalo.db'}")
    upgrade(engine)
    api = await FakeZaloAPI().start()
    running = await Zalo(engine, api).start()
    yield running
    await running.close()
    await api.close()
    engine.dispose()


async def test_a_signed_fresh_event_is_answered_once_even_after_a_restart(zalo):
    raw, headers = signed(event(msg_id="m-1"))
    assert await zalo.post(raw, headers) == (200, {"status": "ok"})
    await zalo.settled()
    assert [m.text for m in zalo.assistant.received] == ["xin chào"]
    assert await zalo.post(raw, headers) == (200, {"status": "ok"})  # Zalo's retry: acknowledged
    await zalo.restart()  # the memory is gone; the database remembers
    assert await zalo.post(raw, headers) == (200, {"status": "ok"})
    await zalo.settled()
    assert len(zalo.assistant.received) == 1
    assert ProcessedEventStore(zalo.engine).count("zalo") == 1


@pytest.mark.parametrize("offset, status", [
    (dt.timedelta(minutes=-6), 403), (dt.timedelta(minutes=6), 403), (dt.timedelta(days=-365), 403),
    (dt.timedelta(minutes=-4), 200), (dt.timedelta(minutes=4), 200),
])
async def test_events_stamped_outside_the_window_are_refused(zalo, offset, status):
    raw, headers = signed(event(msg_id=f"w-{offset}", when=NOW + offset))
    got, body = await zalo.post(raw, headers)
    assert got == status
    await zalo.settled()
    assert len(zalo.assistant.received) == (1 if status == 200 else 0)
    if status == 403:
        assert ProcessedEventStore(zalo.engine).count("zalo") == 0  # a refused event does not use up its id


async def test_a_captured_request_replayed_later_is_refused(zalo):
    raw, headers = signed(event(msg_id="r-1"))
    assert (await zalo.post(raw, headers))[0] == 200
    zalo.clock = lambda: NOW + dt.timedelta(days=2)  # its id may have been pruned by now: the window refuses it
    assert (await zalo.post(raw, headers))[0] == 403
    await zalo.settled()
    assert len(zalo.assistant.received) == 1


async def test_nothing_unsigned_is_parsed(zalo, monkeypatch):
    parsed = []
    real = zalo_channel.read_json
    monkeypatch.setattr(zalo_channel, "read_json", lambda *a, **k: parsed.append(a) or real(*a, **k))
    for raw in (b"[" * 20_000 + b"]" * 20_000, json.dumps(event()).encode(), b"not json"):
        assert (await zalo.post(raw))[0] == 401
        assert (await zalo.post(raw, {"X-ZEvent-Signature": "mac=" + "0" * 64}))[0] == 401
    assert parsed == []
    raw, headers = signed(event(msg_id="p-1"))
    assert (await zalo.post(raw, headers))[0] == 200 and len(parsed) == 1


async def test_the_body_is_capped_before_the_signature_is_even_checked(zalo):
    big = event(msg_id="big", text="x" * MAX_BODY_BYTES)
    raw, headers = signed(big)
    status, body = await zalo.post(raw, headers)
    assert status == 413 and body["status"] == "error"
    await zalo.settled()
    assert zalo.assistant.received == []


async def test_the_signed_timestamp_must_be_the_events_own(zalo):
    other = stamp(NOW - dt.timedelta(days=30))
    body = event(msg_id="t-1", when=NOW - dt.timedelta(days=30))
    body["message"]["timestamp"] = stamp(NOW)  # a nested timestamp, fresh, that the signer used
    raw, headers = signed(body, timestamp=stamp(NOW))
    assert (await zalo.post(raw, headers))[0] == 401
    raw, headers = signed(body, timestamp=other)
    assert (await zalo.post(raw, headers))[0] == 403


def _hostile_events():
    yield "text as list", event(text=["a"])
    yield "text as number", event(text=5)
    yield "text null", event(text=None)
    yield "NUL text", event(text="\x00")
    yield "lone surrogate", event(text="\ud800 chào")
    yield "10 kB text", event(text="x" * 10_000)
    yield "sender as list", event(sender=["1001"])
    yield "sender id object", event(sender={"id": {"a": 1}})
    yield "huge sender id", event(sender={"id": "9" * 20_000})
    yield "sender with NUL", event(sender={"id": "10\x0001"})
    yield "message as list", event(message=["x"])
    yield "message null", event(message=None)
    yield "msg_id object", event(message={"text": "chào", "msg_id": {"a": 1}})
    yield "huge msg_id", event(message={"text": "chào", "msg_id": "m" * 20_000})
    yield "event_name object", event(event_name={"a": 1})
    yield "deep extra field", event(extra=json.loads("[" * 30 + "1" + "]" * 30))
    yield "timestamp not a number", event(timestamp="soon")
    yield "app_id as number", event(app_id=int(APP_ID))


HOSTILE_EVENTS = list(_hostile_events())


async def test_hostile_bodies_signed_or_not_get_no_5xx_and_the_next_question_is_answered(zalo):
    problems = []
    cases = [(name, raw, None) for name, raw, _ in raw_cases()]
    for i, (name, body) in enumerate(HOSTILE_EVENTS):
        body = json.loads(json.dumps(body))
        if isinstance(body.get("message"), dict) and "msg_id" in body["message"] and name not in (
                "msg_id object", "huge msg_id"):
            body["message"]["msg_id"] = f"h-{i}"
        cases.append((name, *signed(body, timestamp=str(body["timestamp"]))))
    for name, raw, headers in cases:
        status, answer = await zalo.post(raw, headers)
        if status >= 500 or not isinstance(answer, dict) or "status" not in answer:
            problems.append((name, status, answer))
    await zalo.settled()
    for message in zalo.assistant.received:
        message.text.encode("utf-8")
        if "\x00" in message.text or len(message.text) > MAX_MESSAGE_CHARS or len(message.sender_id) > 100:
            problems.append(("reached the assistant", message.text[:50], message.sender_id[:50]))
    assert problems == []
    assert any(MESSAGE_TOO_LONG in json.dumps(c, ensure_ascii=False) for c in zalo.api.calls)
    before = len(zalo.assistant.received)
    raw, headers = signed(event(msg_id="after", text="làm căn cước cần giấy tờ gì"))
    assert await zalo.post(raw, headers) == (200, {"status": "ok"})
    await zalo.settled()
    assert [m.text for m in zalo.assistant.received[before:]] == ["làm căn cước cần giấy tờ gì"]


def test_ids_are_kept_longer_than_an_event_stays_fresh():
    assert keep_events_for(300) == dt.timedelta(days=1)
    assert keep_events_for(86_400) == dt.timedelta(days=3)
