"""`bot web` under hostile input (kiosk API, dossier push API): a 4xx JSON error or a normal
answer, never a 5xx, and nothing half-written; the next normal request works."""

from __future__ import annotations

import dataclasses
import json

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.web.app import create_app
from tests.fakes.rasa import FakeRasa
from tests.hostile_corpus import corpus, raw_cases
from tests.web.test_dossier_api import AUTH, CODE, record

SCREEN = {"screen": "quay-1", "session": "abc123"}
KIOSK_CORPUS = corpus("session", "message", {"screen": "quay-1"})
RESET_CORPUS = corpus("session", "unused", {"screen": "quay-1"})


HOSTILE_VALUES = [None, 42, -1, 1.5, 10**30, True, [], {}, ["a"], {"a": [1]}, "", " ", "x" * 10_000,
                  "\x00", "a\x00b", "\ud800", "\udfff z", "😀", "'; DROP TABLE dossiers; --", "=1+1",
                  "9999-99-99", "2025-13-45T99:99:99+99:00", "0000-01-01", "9999-12-31T23:59:59-23:59"]


def dossier_cases():
    """Raw hostile bodies, then a good record with one field at a time given a hostile value."""
    yield from ((name, raw) for name, raw, _ in raw_cases())
    for field in record():
        for i, value in enumerate(HOSTILE_VALUES):
            yield f"{field}={i}", json.dumps([record(**{field: value})]).encode("utf-8")
    yield "unknown field", json.dumps([record(extra={"deep": [[[[[1]]]]]})]).encode()
    yield "dossiers not a list", json.dumps({"dossiers": {"a": 1}}).encode()
    yield "dossiers null", json.dumps({"dossiers": None}).encode()
    yield "list of lists", json.dumps([[record()]]).encode()
    yield "1001 records", json.dumps([record(code=f"X-{i}") for i in range(1001)]).encode()
    yield "NUL in a key", json.dumps([{**record(), "a\x00": 1}]).encode()


DOSSIER_CASES = list(dossier_cases())


class Rasa(FakeRasa):
    def reply(self, sender, message):
        message.encode("utf-8")  # what the kiosk forwards can be encoded
        return [{"recipient_id": sender, "text": "Xin chào!"}]


@pytest.fixture
async def web(services):
    rasa = await Rasa().start()
    # The corpus comes from one address: the per-address limit (tested in test_kiosk_api) is lifted here.
    services.settings = dataclasses.replace(services.settings, rasa_host="127.0.0.1", rasa_port=rasa.port,
                                            kiosk_messages_per_ip=100_000)
    client = TestClient(TestServer(create_app(services), host="127.0.0.1"))
    await client.start_server()
    yield client, rasa
    await client.close()
    await rasa.close()


async def _post(client, path, raw: bytes, content_type="application/json", headers=None):
    # a connection the server closed after refusing a large body early must not be reused
    headers = {"Content-Type": content_type, "Connection": "close", **(headers or {})}
    response = await client.post(path, data=raw, headers=headers)
    return response.status, await response.json(content_type=None)


async def test_kiosk_message_and_reset_never_answer_5xx(web):
    """The whole corpus in one test (a fresh catalog database per case would take minutes)."""
    client, rasa = web
    problems = []
    for path, cases in (("/kiosk/api/message", KIOSK_CORPUS), ("/kiosk/api/reset", RESET_CORPUS)):
        for name, raw, content_type in cases:
            status, body = await _post(client, path, raw, content_type)
            if status >= 500 or (status >= 400 and not (body.get("error") and body.get("message"))):
                problems.append((path, name, status, body))
            if any("\x00" in r["message"] for r in rasa.received):
                problems.append((path, name, "NUL forwarded"))
            status, body = await _post(client, "/kiosk/api/message",
                                       json.dumps({**SCREEN, "message": "xin chào"}).encode())
            if status != 200 or body["messages"][0]["text"] != "Xin chào!":
                problems.append((path, name, "next message", status, body))
    assert problems == []


async def test_kiosk_message_text_is_cleaned_and_an_id_with_a_newline_refused(web):
    client, rasa = web
    status, _ = await _post(client, "/kiosk/api/message",
                            json.dumps({**SCREEN, "message": "làm\x00 căn cước \ud800"}).encode())
    assert status == 200 and rasa.received[-1]["message"] == "làm căn cước \ufffd"
    status, body = await _post(client, "/kiosk/api/message",
                               json.dumps({**SCREEN, "session": "abc\n", "message": "chào"}).encode())
    assert (status, body["error"]) == (400, "bad_request")


@pytest.mark.parametrize("query", ["%00", "%ED%A0%80", "%FF%FE", "x" * 7000, "%5B" * 2000, "a%00b%0A"])
async def test_kiosk_suggest_and_checklist_take_odd_queries(web, query):
    client, _ = web
    response = await client.get(f"/kiosk/api/suggest?q={query}")
    assert response.status < 500
    response = await client.get(f"/kiosk/api/checklist/{query[:200]}")
    assert response.status < 500


async def test_dossier_push_never_answers_5xx_and_writes_nothing_bad(web, services):
    client, _ = web
    problems = []
    for name, raw in DOSSIER_CASES:
        before = (services.dossiers.count(), len(services.dossiers.history(CODE)))
        status, body = await _post(client, "/api/dossiers", raw, headers=AUTH)
        if status >= 500 or (status >= 400 and not (body.get("error") and body.get("message"))):
            problems.append((name, status, body))
        if status >= 400 and (services.dossiers.count(), len(services.dossiers.history(CODE))) != before:
            problems.append((name, "written although refused"))
    assert problems == []
    status, body = await _post(client, "/api/dossiers", json.dumps([record()]).encode(), headers=AUTH)
    assert status == 200, body


async def test_dossier_push_refuses_nul_and_lone_surrogates_instead_of_altering_them(web, services):
    client, _ = web
    for value in ("a\x00b", "x\ud800"):
        status, body = await _post(client, "/api/dossiers", json.dumps([record(unit=value)]).encode(), headers=AUTH)
        assert (status, body["error"]) == (400, "invalid_text")
    assert services.dossiers.count() == 0


async def test_dossier_push_refuses_deep_nesting(web, services):
    client, _ = web
    status, body = await _post(client, "/api/dossiers", b"[" * 50_000 + b"]" * 50_000, headers=AUTH)
    assert status == 400 and body["error"] in ("invalid_json", "too_deep")
