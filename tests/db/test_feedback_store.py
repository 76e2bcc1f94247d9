"""Feedback tickets (numbering, answers queued to push channels) and ratings."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.core.feedback import FeedbackError
from tests.core.times import utc, vn

NOW = vn(2025, 3, 12, 9, 0)


def test_tickets_are_numbered_per_day(services):
    store = services.feedback
    first = store.create(sender_id="a", channel="rest", content="Cán bộ hẹn trả chậm", now=NOW)
    second = store.create(sender_id="b", channel="rest", content="Nội dung khác", now=NOW)
    next_day = store.create(sender_id="c", channel="rest", content="Ngày hôm sau", now=NOW + dt.timedelta(days=1))
    assert (first.ticket, second.ticket, next_day.ticket) == (
        "PAKN-20250312-0001", "PAKN-20250312-0002", "PAKN-20250313-0001")
    assert store.get("pakn 20250312 0002").sender_id == "b"


def test_tickets_take_the_vietnam_day_not_the_utc_day(services):
    early = services.feedback.create(sender_id="a", channel="rest", content="Sáng sớm đã xếp hàng",
                                     now=utc(2025, 3, 11, 18, 0))  # 01:00 on 12 March in Vietnam
    assert early.ticket == "PAKN-20250312-0001"
    assert early.created_at == vn(2025, 3, 12, 1, 0) and early.created_at.utcoffset() == dt.timedelta(0)


def test_answer_is_queued_only_for_push_channels(services):
    store = services.feedback
    pushed = store.create(sender_id="zalo:77", channel="zalo", content="Xin hỏi lệ phí", now=NOW)
    plain = store.create(sender_id="rest-1", channel="rest", content="Xin hỏi thời gian", now=NOW)
    ticket, queued = store.answer(pushed.ticket, "Lệ phí là 0 đồng.")
    assert queued and ticket.status == "answered"
    (message,) = services.outbox.due("zalo")
    assert message.recipient_id == "77" and pushed.ticket in message.text
    _, queued = store.answer(plain.ticket, "Trong ngày.")
    assert not queued and len(services.outbox.all()) == 1


def test_answer_errors(services):
    with pytest.raises(FeedbackError):
        services.feedback.answer("PAKN-20250312-0099", "Trả lời")
    ticket = services.feedback.create(sender_id="a", channel="rest", content="Nội dung", now=NOW)
    with pytest.raises(FeedbackError):
        services.feedback.answer(ticket.ticket, "   ")
    assert services.feedback.get(ticket.ticket).status == "received"


def test_one_rating_per_conversation(services):
    services.ratings.record(sender_id="a", channel="rest", topic="1.001193", context="procedure_answer", level=4)
    services.ratings.record(sender_id="a", channel="rest", topic="1.001193", context="procedure_answer", level=5)
    services.ratings.record(sender_id="b", channel="telegram", topic="3.000347", context="dossier_lookup", level=2)
    assert sorted((r.level, r.channel) for r in services.ratings.all()) == [(2, "telegram"), (5, "rest")]
    assert services.ratings.topic_names(["1.001193"]) == {"1.001193": "Đăng ký khai sinh"}
