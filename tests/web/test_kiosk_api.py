"""The kiosk's same-origin API and page, over real HTTP, with a fake Rasa on 127.0.0.1."""

from __future__ import annotations

import dataclasses
import json
import re

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.core.answers import MAX_WORDS_PER_MESSAGE
from bot.web.app import create_app
from bot.web.kiosk import STATIC_DIR, TOPICS_FILE, add_kiosk_routes, load_topics
from tests.e2e.servers import free_port
from tests.fakes.rasa import FakeRasa

SCREEN = {"screen": "quay-1", "session": "abc123"}
LONG_TEXT = "\n".join(f"{i}. Giấy tờ số {i} cần mang theo khi đi nộp hồ sơ tại bộ phận một cửa." for i in range(1, 13))


class KioskRasa(FakeRasa):
    """Replies for the kiosk tests; talking about khai sinh sets the procedure slot."""

    def reply(self, sender: str, message: str):
        if message == "/restart":
            self.slots.pop(sender, None)
            return []
        if message == "dài":
            return [{"recipient_id": sender, "text": LONG_TEXT, "buttons": [{"title": "Lệ phí", "payload": "/ask_fee"}]}]
        if message == "im lặng":
            return []
        if message == "hỏng":
            return [{"recipient_id": sender, "image": "x.png"}, "not a dict", {"text": 5, "buttons": [{"title": 1}]}]
        if "khai sinh" in message or "1.001193" in message:
            self.slots[sender] = {"procedure_code": "1.001193"}
            return [{"recipient_id": sender, "text": "Đăng ký khai sinh (mã 1.001193).",
                     "buttons": [{"title": "Lệ phí", "payload": '/ask_fee{"procedure_code": "1.001193"}'}]}]
        return [{"recipient_id": sender, "text": "Xin chào!"}]


@pytest.fixture
async def rasa():
    fake = await KioskRasa().start()
    yield fake
    await fake.close()


async def _client(services) -> TestClient:
    client = TestClient(TestServer(create_app(services, registrars=[add_kiosk_routes]), host="127.0.0.1"))
    await client.start_server()
    return client


@pytest.fixture
async def kiosk(services, rasa):
    services.settings = dataclasses.replace(services.settings, rasa_host="127.0.0.1", rasa_port=rasa.port)
    client = await _client(services)
    yield client
    await client.close()


async def _post(client, path, body):
    response = await client.post(path, data=body if isinstance(body, (str, bytes)) else json.dumps(body),
                                 headers={"Content-Type": "application/json"})
    return response.status, await response.json()


# --- the page -------------------------------------------------------------

async def test_page_and_its_assets_are_served(kiosk):
    response = await kiosk.get("/kiosk/")
    assert response.status == 200
    html = await response.text()
    assert "Trợ lý thủ tục hành chính" in html and 'lang="vi"' in html
    for asset in re.findall(r'(?:src|href)="([^"]+)"', html):
        if asset == "data:,":  # the empty favicon, so the browser asks for none
            continue
        assert asset.startswith("/kiosk/static/"), asset  # nothing from the internet
        assert (await kiosk.get(asset)).status == 200
    redirect = await kiosk.get("/kiosk?idle=5", allow_redirects=False)
    assert redirect.status == 302 and redirect.headers["Location"] == "/kiosk/?idle=5"


async def test_the_web_app_serves_the_kiosk(services):
    client = TestClient(TestServer(create_app(services), host="127.0.0.1"))
    await client.start_server()
    try:
        assert (await client.get("/kiosk/")).status == 200
        missing = await client.get("/kiosk/static/nothing.js")
        assert missing.status == 404 and (await missing.json())["error"]
    finally:
        await client.close()


def test_page_loads_nothing_from_outside():
    css = (STATIC_DIR / "kiosk.css").read_text(encoding="utf-8")
    js = (STATIC_DIR / "kiosk.js").read_text(encoding="utf-8")
    assert "url(" not in css and "@import" not in css
    assert "http://" not in js and "https://" not in js
    assert set(re.findall(r'"(/kiosk/[a-z/]+)', js)) <= {"/kiosk/api/topics", "/kiosk/api/message",
                                                           "/kiosk/api/suggest", "/kiosk/api/checklist/",
                                                           "/kiosk/api/reset"}
    vendor = (STATIC_DIR / "vendor" / "qrcode.js").read_text(encoding="utf-8")
    assert "MIT License" in vendor and "Copyright (c) 2009 Kazuhiko Arase" in vendor


# --- topics, suggestions, checklist -------------------------------------------

async def test_topics_are_catalog_procedures_asking_for_documents(kiosk, services):
    data = await (await kiosk.get("/kiosk/api/topics")).json()
    assert len(data["topics"]) >= 6
    for topic in data["topics"]:
        assert services.catalog.get(topic["code"]) is not None
        assert topic["payload"] == f'/ask_documents{{"procedure_code": "{topic["code"]}"}}'
    assert [t["title"] for t in data["topics"]][:2] == ["Làm thẻ căn cước", "Đăng ký khai sinh"]


def test_shipped_topics_file_is_valid_and_a_broken_one_means_no_topics(tmp_path):
    assert len(load_topics(TOPICS_FILE)) >= 6
    broken = tmp_path / "kiosk.yml"
    broken.write_text("topics: [oops", encoding="utf-8")
    assert load_topics(broken) == []
    assert load_topics(tmp_path / "missing.yml") == []


@pytest.mark.parametrize("query", ["lam can cuoc", "làm căn cước", "LAM CAN CU", "lam cccd"])
async def test_suggestions_ignore_diacritics_and_unfinished_words(kiosk, query):
    data = await (await kiosk.get("/kiosk/api/suggest", params={"q": query})).json()
    codes = [s["code"] for s in data["suggestions"]]
    assert codes[0] in ("1.014061", "1.014062", "1.014063")
    assert "1.014061" in codes
    first = data["suggestions"][0]
    assert first["payload"] == f'/ask_documents{{"procedure_code": "{first["code"]}"}}'
    assert "căn cước" in first["name"]


@pytest.mark.parametrize("query", ["", "   ", "x" * 5000, "😀", "<script>", "%00"])
async def test_odd_suggestion_queries_answer_an_empty_or_short_list(kiosk, query):
    response = await kiosk.get("/kiosk/api/suggest", params={"q": query})
    assert response.status == 200
    assert len((await response.json())["suggestions"]) <= 6


async def test_checklist_lists_documents_and_the_official_page(kiosk):
    data = await (await kiosk.get("/kiosk/api/checklist/1.001193")).json()
    assert data["code"] == "1.001193" and data["name"] == "Đăng ký khai sinh"
    assert any(d["name"] == "Giấy chứng sinh" and d["kind"] == "bản chính" for d in data["documents"])
    assert data["source_url"].startswith("https://dichvucong.gov.vn/")
    assert re.fullmatch(r"\d\d/\d\d/\d{4}", data["verified_on"])


async def test_checklist_never_states_unverified_documents(kiosk):
    data = await (await kiosk.get("/kiosk/api/checklist/2.000986")).json()
    assert data["documents"] == [] and data["fees"] is None
    assert any("Danh sách giấy tờ chưa được kiểm chứng" in note for note in data["unverified"])


@pytest.mark.parametrize("code", ["9.999999", "..%2F..%2Fetc", "1.001193x", "%3Cscript%3E"])
async def test_unknown_checklist_is_a_polite_404(kiosk, code):
    response = await kiosk.get(f"/kiosk/api/checklist/{code}")
    assert response.status == 404
    assert "Không tìm thấy" in (await response.json())["message"]


# --- the conversation proxy ----------------------------------------------------

async def test_message_goes_to_rasa_as_this_screens_kiosk_conversation(kiosk, rasa):
    status, data = await _post(kiosk, "/kiosk/api/message", {**SCREEN, "message": "làm khai sinh"})
    assert status == 200
    assert rasa.received == [{"sender": "kiosk:quay-1.abc123", "message": "làm khai sinh",
                              "metadata": {"client_ip": "127.0.0.1"}}]
    assert data["messages"][0]["text"].startswith("Đăng ký khai sinh")
    assert data["messages"][0]["buttons"][0]["title"] == "Lệ phí"
    assert data["procedure_code"] == "1.001193"


async def test_the_tracker_is_read_with_the_rasa_api_token(services, rasa):
    rasa.api_token = "bi-mat-api"
    for token, expected in (("", None), ("bi-mat-api", "1.001193")):
        services.settings = dataclasses.replace(services.settings, rasa_host="127.0.0.1",
                                                rasa_port=rasa.port, rasa_api_token=token)
        client = await _client(services)
        try:
            status, data = await _post(client, "/kiosk/api/message", {**SCREEN, "message": "làm khai sinh"})
        finally:
            await client.close()
        assert status == 200 and data["procedure_code"] == expected


async def test_long_replies_are_cut_into_bubbles_of_at_most_80_words(kiosk):
    status, data = await _post(kiosk, "/kiosk/api/message", {**SCREEN, "message": "dài"})
    assert status == 200
    (message,) = data["messages"]
    pages = [message["text"], *message["more"]]
    assert len(pages) >= 2
    assert all(len(page.split()) <= MAX_WORDS_PER_MESSAGE for page in pages)
    assert "12. Giấy tờ số 12" in pages[-1]
    assert message["buttons"] == [{"title": "Lệ phí", "payload": "/ask_fee"}]


async def test_no_usable_reply_still_answers_politely(kiosk):
    for message in ("im lặng", "hỏng"):
        status, data = await _post(kiosk, "/kiosk/api/message", {**SCREEN, "message": message})
        assert status == 200
        assert data["messages"][0]["text"].startswith("Xin lỗi")
        assert data["procedure_code"] is None


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        b"\xff\xfe",
        "[]",
        json.dumps({"message": "chào"}),
        json.dumps({**SCREEN, "screen": "telegram:42", "message": "chào"}),
        json.dumps({**SCREEN, "session": "a" * 41, "message": "chào"}),
        json.dumps({**SCREEN, "message": 5}),
        json.dumps({**SCREEN, "message": "   "}),
        json.dumps({**SCREEN, "message": "x" * 501}),
        json.dumps({**SCREEN, "message": "x" * 20_000}),
    ],
)
async def test_bad_requests_get_a_polite_json_error_and_reach_nobody(kiosk, rasa, body):
    status, data = await _post(kiosk, "/kiosk/api/message", body)
    assert status in (400, 413)
    assert data["error"] and data["message"] and "Traceback" not in data["message"]
    assert rasa.received == []


async def test_a_body_sent_in_chunks_is_read_whole_and_capped(kiosk, rasa):
    async def chunks(body: bytes, size: int = 7):
        for i in range(0, len(body), size):
            yield body[i : i + size]

    whole = json.dumps({**SCREEN, "message": "làm khai sinh"}, ensure_ascii=False).encode("utf-8")
    response = await kiosk.post("/kiosk/api/message", data=chunks(whole))
    assert response.status == 200
    assert rasa.received[-1]["message"] == "làm khai sinh"
    huge = json.dumps({**SCREEN, "message": "x" * 40_000}).encode("utf-8")
    response = await kiosk.post("/kiosk/api/message", data=chunks(huge, 4096))
    assert response.status == 413 and (await response.json())["error"] == "too_long"
    assert len(rasa.received) == 1


async def test_reset_restarts_and_deletes_the_conversation(kiosk, rasa, services):
    from bot.db.conversation_store import ConversationStore
    from tests.db.test_conversations import _stored, session_start, turn

    await _post(kiosk, "/kiosk/api/message", {**SCREEN, "message": "làm khai sinh"})
    # What the Rasa server stored for this screen's conversation and for another one.
    await _stored(services.settings.database_url, {
        sender: session_start() + turn("làm khai sinh", "ask_procedure", "action_answer_procedure", "…")
        for sender in ("kiosk:quay-1.abc123", "kiosk:quay-2.def456")})
    status, data = await _post(kiosk, "/kiosk/api/reset", SCREEN)
    assert status == 200 and data == {"ok": True}
    assert rasa.received[-1] == {"sender": "kiosk:quay-1.abc123", "message": "/restart"}
    assert ConversationStore(services.engine).senders() == ["kiosk:quay-2.def456"]


async def test_assistant_down_gives_a_friendly_error(services):
    services.settings = dataclasses.replace(services.settings, rasa_host="127.0.0.1", rasa_port=free_port())
    client = await _client(services)
    try:
        status, data = await _post(client, "/kiosk/api/message", {**SCREEN, "message": "chào"})
        assert status == 503
        assert data["error"] == "assistant_unavailable"
        assert "trợ lý đang tạm dừng" in data["message"]
        status, data = await _post(client, "/kiosk/api/reset", SCREEN)
        assert status == 200 and data == {"ok": False}
    finally:
        await client.close()


def test_bot_run_says_where_the_kiosk_is(settings, capsys):
    from bot.cli.run import _print_where

    _print_where(dataclasses.replace(settings, web_host="0.0.0.0", web_port=5056))
    assert "Màn hình kiosk: http://127.0.0.1:5056/kiosk/" in capsys.readouterr().out


# --- limits per address ---------------------------------------------------------

async def test_new_sessions_do_not_reset_the_address_limit(services, rasa):
    services.settings = dataclasses.replace(services.settings, rasa_host="127.0.0.1", rasa_port=rasa.port,
                                            kiosk_messages_per_ip=3)
    client = await _client(services)
    try:
        statuses = []
        for i in range(3):
            statuses.append((await _post(client, "/kiosk/api/message",
                                         {"screen": "quay-1", "session": f"s{i}", "message": "xin chào"}))[0])
        response = await client.post("/kiosk/api/message", data=json.dumps(
            {"screen": "quay-1", "session": "new", "message": "xin chào"}), headers={"Content-Type": "application/json"})
        body = await response.json()
        assert statuses == [200, 200, 200] and response.status == 429
        assert body["error"] == "too_many_requests" and "chờ một chút" in body["message"]
        assert 1 <= int(response.headers["Retry-After"]) <= 60
        assert (await _post(client, "/kiosk/api/reset", {"screen": "quay-1", "session": "new"}))[0] == 429
        assert len(rasa.received) == 3
    finally:
        await client.close()
