"""The trainers' inbox: which messages are misses, masked before anything else, grouped and counted."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

from bot.core.conversation_events import StoredEvent, by_conversation
from bot.core.redaction import redact_personal
from bot.core.text import fold
from bot.core.trainer_inbox import find_misses, inbox
from tests.fakes.conversations import CODE, EXPECTED, NAME, PHONE, START, stored_events


def test_a_known_set_of_conversations_gives_exactly_the_expected_groups_newest_first():
    groups = inbox(stored_events())
    assert [(g.text, g.count, set(g.reasons)) for g in groups] == EXPECTED
    assert groups[-1].variants == ["thủ tục nhận con nuôi người nước ngoài"]
    assert groups[-1].last_seen == START + dt.timedelta(hours=1, minutes=1)
    assert groups[1].reason_labels == ["Người dân nói “không phải”", "Hiểu nhưng không chắc"]


def test_no_phone_code_or_name_reaches_the_inbox():
    shown = " ".join(g.text + " " + " ".join(g.variants) for g in inbox(stored_events()))
    for secret in (PHONE, CODE, NAME, "250312", "Nguyễn"):
        assert secret not in shown
    assert not re.search(r"\d{7,}", shown)


def test_button_payloads_good_answers_and_good_ratings_are_not_misses():
    texts = {m.text for m in find_misses(stored_events())}
    assert not any(t.startswith("/") for t in texts)
    assert "lam can cuoc o dau" not in texts and "lam giay khai sinh can gi" not in texts


def test_known_examples_and_old_messages_are_left_out():
    known = {fold("đổi bằng lái xe máy mất bao lâu")}
    since = START + dt.timedelta(hours=2)
    texts = [g.text for g in inbox(stored_events(), known=known, since=since)]
    assert texts == [EXPECTED[0][0], EXPECTED[2][0]]


def test_compaction_copies_are_not_counted_twice():
    events = stored_events()
    fallback = [e for e in events if e.sender_id == "rest:b"]
    later = fallback[-1].timestamp + 3600
    first_user = next(i for i, e in enumerate(fallback) if e.type_name == "user")
    # As `bot.tracker_store.compacted_session` writes it: a new session, then the last turns copied.
    copies = [StoredEvent("rest:b", "session_started", later, {})] + [
        dataclasses.replace(e, timestamp=later) for e in fallback[first_user:]]
    new_turn = StoredEvent("rest:b", "user", later + 5, {"text": "cảm ơn", "message_id": "new",
                                                         "parse_data": {"intent": {"name": "thank",
                                                                                   "confidence": 0.99}}})
    all_events = events + copies + [new_turn]
    assert len(by_conversation(all_events)["rest:b"]) == len(fallback) + 2
    assert [g.count for g in inbox(all_events)] == [1, 1, 1, 2]


def test_personal_details_are_masked_for_trainers():
    assert redact_personal("tên tôi là Nguyễn Văn An, sdt 0912345678") == "tên tôi là [tên], sdt *******678"
    assert redact_personal("toi la Le Thi Hoa muon lam khai sinh") == "toi la [tên] muon lam khai sinh"
    assert redact_personal("tôi ở số 12 ngõ 34 phố Hàng Bông") == "tôi ở [địa chỉ]"
    assert redact_personal("cccd 001203004567 bị mất") == "cccd [số] bị mất"
    for plain in ("tôi là người dân muốn hỏi", "4 số cuối là 5678", "làm cccd cần gì"):
        assert redact_personal(plain) == plain
