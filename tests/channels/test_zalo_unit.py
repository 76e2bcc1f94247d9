"""Zalo signature, message builders, API client and outbox worker against a fake API on 127.0.0.1."""

from __future__ import annotations

import hashlib
import logging

import pytest

from bot.channels.zalo import ZaloOutput, resolve_choice
from bot.channels.zalo_api import ZaloAPIError, ZaloClient
from bot.channels.zalo_worker import deliver_due
from bot.core.delivery import BoundedMemory, Button
from bot.core.zalo_messages import MAX_TEXT, buttons_message, messages, text_message
from bot.core.zalo_signature import signature, verify
from tests.channels.fake_zalo import TOKEN, FakeZaloAPI

APP_ID = "4312298743211234"
SECRET = "oa-secret-key"
BODY = b'{"app_id":"4312298743211234","event_name":"user_send_text","timestamp":"1700000000123"}'


def test_signature_matches_plain_sha256_of_the_concatenation():
    expected = hashlib.sha256((APP_ID + BODY.decode() + "1700000000123" + SECRET).encode()).hexdigest()
    assert signature(APP_ID, BODY, "1700000000123", SECRET) == "mac=" + expected
    assert signature(APP_ID, BODY, 1700000000123, SECRET) == "mac=" + expected


def test_verify_accepts_with_or_without_prefix_and_refuses_anything_else():
    good = signature(APP_ID, BODY, "1700000000123", SECRET)
    assert verify(good, APP_ID, BODY, "1700000000123", SECRET)
    assert verify(good[4:], APP_ID, BODY, "1700000000123", SECRET)
    assert verify(good.upper().replace("MAC=", "mac="), APP_ID, BODY, "1700000000123", SECRET)
    assert not verify(None, APP_ID, BODY, "1700000000123", SECRET)
    assert not verify("", APP_ID, BODY, "1700000000123", SECRET)
    assert not verify(good, APP_ID, BODY + b" ", "1700000000123", SECRET)
    assert not verify(good, APP_ID, BODY, "1700000000124", SECRET)
    assert not verify(good, APP_ID, BODY, "1700000000123", "other-secret")
    assert not verify(good, APP_ID, BODY, "1700000000123", "")
    assert not verify("mac=zzž", APP_ID, BODY, "1700000000123", SECRET)


def test_text_message_shape():
    assert text_message("123", "Xin chào") == {"recipient": {"user_id": "123"}, "message": {"text": "Xin chào"}}


def test_buttons_message_caps_at_five_and_numbers_the_rest():
    buttons = [Button(f"Lựa chọn {i}", f"/pick{{\"n\": {i}}}") for i in range(1, 8)]
    body = buttons_message("123", "Bạn muốn làm gì?", buttons)
    shown = body["message"]["attachment"]["payload"]["buttons"]
    assert body["message"]["attachment"]["type"] == "template"
    assert [b["title"] for b in shown] == [f"Lựa chọn {i}" for i in range(1, 6)]
    assert all(b["type"] == "oa.query.show" for b in shown)
    assert shown[0]["payload"] == '/pick{"n": 1}'
    text = body["message"]["text"]
    assert text.startswith("Bạn muốn làm gì?")
    assert "Gõ 6 hoặc 7 để chọn:" in text and "6. Lựa chọn 6" in text and "7. Lựa chọn 7" in text


def test_button_titles_are_cut_to_zalo_limit():
    body = buttons_message("1", "Chọn", [Button("Đ" * 150, "x")])
    assert body["message"]["attachment"]["payload"]["buttons"][0]["title"] == "Đ" * 100


def test_long_text_is_split_and_only_the_last_piece_has_buttons():
    text = "\n".join(f"Dòng thứ {i}: giấy tờ cần chuẩn bị khi làm thủ tục." for i in range(200))
    bodies = messages("9", text, [Button("Xem thêm", "/show_more")])
    assert len(bodies) > 1
    assert all(len(b["message"]["text"]) <= MAX_TEXT for b in bodies)
    assert all("attachment" not in b["message"] for b in bodies[:-1])
    assert bodies[-1]["message"]["attachment"]["payload"]["buttons"][0]["title"] == "Xem thêm"
    assert "".join(b["message"]["text"] for b in bodies).count("Dòng thứ") == 200


def test_button_memory_maps_numbers_and_tapped_titles_to_the_latest_buttons():
    memory = BoundedMemory(size=2)
    buttons = [Button("Giấy tờ cần nộp", '/ask_documents{"procedure_code": "1.014061"}'), Button("Lệ phí", "/ask_fee")]
    memory.remember("u1", buttons)
    assert resolve_choice(memory, "u1", "2") == "/ask_fee"
    assert resolve_choice(memory, "u1", "2") == "2"  # only the latest reply's buttons count
    memory.remember("u1", buttons)
    assert resolve_choice(memory, "u1", "Giấy tờ cần nộp") == '/ask_documents{"procedure_code": "1.014061"}'
    for user in ("a", "b", "c"):
        memory.remember(user, buttons)
    assert memory.get("a", []) == []  # bounded


@pytest.fixture
async def api():
    fake = await FakeZaloAPI().start()
    yield fake
    await fake.close()


async def test_output_channel_posts_query_buttons_with_access_token(api):
    output = ZaloOutput(ZaloClient(TOKEN, api.base))
    await output.send_text_with_buttons("zalo:777", "Bạn cần gì?", [
        {"title": "Giấy tờ cần nộp", "payload": '/ask_documents{"procedure_code": "1.014061"}'},
        {"title": "Mở trang", "payload": "mo trang"},
    ])
    (body,) = api.to("777")
    buttons = body["message"]["attachment"]["payload"]["buttons"]
    # an intent payload would show as the citizen's own message: the title is sent instead
    assert buttons[0] == {"title": "Giấy tờ cần nộp", "type": "oa.query.show", "payload": "Giấy tờ cần nộp"}
    assert buttons[1]["payload"] == "mo trang"
    assert resolve_choice(output.memory, "777", "Giấy tờ cần nộp") == '/ask_documents{"procedure_code": "1.014061"}'


async def test_client_retries_once_on_5xx_but_not_on_api_errors(api, caplog):
    client = ZaloClient(TOKEN, api.base, retry_delay=0.01)
    api.fail_http = 1
    await client.send(text_message("1", "Xin chào"))
    assert len(api.calls) == 1 and len(api.refused) == 1
    api.fail_http = 2
    with pytest.raises(ZaloAPIError) as err:
        await client.send(text_message("1", "Xin chào"))
    assert err.value.transient and len(api.refused) == 3
    api.api_error = (-230, "User has not interacted with the OA in the past 7 days")
    with caplog.at_level(logging.ERROR):
        with pytest.raises(ZaloAPIError) as err:
            await client.send(text_message("1", "Xin chào"))
    assert err.value.code == -230 and not err.value.transient
    assert len(api.refused) == 4  # no retry
    assert "-230" in caplog.text and "7 days" in caplog.text


async def test_client_network_error_is_transient():
    client = ZaloClient(TOKEN, "http://127.0.0.1:9", retry_delay=0.01, timeout=2)
    with pytest.raises(ZaloAPIError) as err:
        await client.send(text_message("1", "x"))
    assert err.value.transient


async def test_outbox_notification_is_delivered_once_and_marked_sent(api, services):
    outbox = services.outbox
    text = "Hồ sơ H001 của bạn đã có kết quả. Mời bạn đến nhận tại bộ phận một cửa."
    assert outbox.enqueue("zalo", "555", text, "dossier:H001:done")
    assert outbox.enqueue("telegram", "42", "khác kênh", "dossier:H001:done:tg")
    client = ZaloClient(TOKEN, api.base, retry_delay=0.01)
    assert await deliver_due(outbox, client) == (1, 0)
    assert await deliver_due(outbox, client) == (0, 0)
    (body,) = api.calls
    assert body == {"recipient": {"user_id": "555"}, "message": {"text": text}}
    (row,) = outbox.for_recipient("zalo", "555")
    assert row.status == "sent" and row.sent_at is not None


async def test_outbox_api_error_is_logged_and_marked_failed_for_retry(api, services, caplog):
    outbox = services.outbox
    outbox.enqueue("zalo", "556", "Hồ sơ của bạn cần bổ sung giấy tờ.", "dossier:H002:more")
    api.api_error = (-213, "User has not followed the OA")
    with caplog.at_level(logging.ERROR):
        assert await deliver_due(outbox, ZaloClient(TOKEN, api.base, retry_delay=0.01)) == (0, 1)
    (row,) = outbox.for_recipient("zalo", "556")
    assert row.status == "failed" and row.attempts == 1
    assert "-213" in row.last_error
    assert row.next_attempt_at > row.created_at  # retried later, not now
    assert "-213" in caplog.text
    assert api.calls == [] and len(api.refused) == 1
    assert outbox.due("zalo") == []


async def test_outbox_error_that_is_not_an_api_answer_ends_the_round_and_the_message_stays_due(services):
    """Zalo's own part of a failure; the retry rules themselves are in test_outbox_delivery."""

    class BrokenClient:
        async def send(self, body):
            raise RuntimeError("not a Zalo answer")

    outbox = services.outbox
    outbox.enqueue("zalo", "557", "Hồ sơ H003 của bạn đã có kết quả.", "dossier:H003:done")
    with pytest.raises(RuntimeError, match="not a Zalo answer"):
        await deliver_due(outbox, BrokenClient())
    (row,) = outbox.for_recipient("zalo", "557")
    assert (row.status, row.attempts) == ("pending", 0)
    assert [m.id for m in outbox.due("zalo")] == [row.id]
