"""Feedback tickets: numbers, what the citizen writes, contacts masked."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.core.contact import mask_contact
from bot.core.feedback import (
    FeedbackError,
    clean_contact,
    clean_content,
    find_ticket,
    format_ticket,
    ticket_day,
    normalize_ticket,
    summary_text,
)
from tests.core.times import utc, vn


def test_ticket_numbers():
    assert format_ticket(dt.date(2025, 3, 12), 1) == "PAKN-20250312-0001"
    assert format_ticket(dt.date(2025, 3, 12), 42) == "PAKN-20250312-0042"
    with pytest.raises(FeedbackError):
        format_ticket(dt.date(2025, 3, 12), 10000)


def test_tickets_are_numbered_by_the_vietnam_day():
    assert ticket_day(utc(2025, 3, 11, 17, 30)) == dt.date(2025, 3, 12), "00:30 on 12 March in Vietnam"
    assert ticket_day(vn(2025, 3, 12, 23, 59)) == dt.date(2025, 3, 12)


@pytest.mark.parametrize("typed", ["PAKN-20250312-0001", "pakn 20250312 0001", "PAKN202503120001", "pakn-20250312-0001"])
def test_tickets_are_read_however_they_are_typed(typed):
    assert normalize_ticket(typed) == "PAKN-20250312-0001"


def test_not_tickets():
    assert normalize_ticket("PAKN-20251340-0001") is None
    assert normalize_ticket("'; DROP TABLE feedback_tickets; --") is None
    assert find_ticket("phiếu PAKN-20250312-0007 sao rồi") == "PAKN-20250312-0007"
    assert find_ticket("phiếu của tôi sao rồi") is None


def test_content_limits():
    assert clean_content("  cán bộ   hẹn  trả chậm ") == "cán bộ hẹn trả chậm"
    with pytest.raises(FeedbackError):
        clean_content("ừ")
    with pytest.raises(FeedbackError):
        clean_content("x" * 2_000_000)


def test_contact_is_a_phone_or_an_email_and_is_masked():
    assert clean_contact("0912 345 678") == "0912345678"
    assert clean_contact("An.Nguyen@Example.vn") == "an.nguyen@example.vn"
    with pytest.raises(FeedbackError):
        clean_contact("nhà tôi ở đầu ngõ")
    assert mask_contact("0912345678") == "*******678"
    assert mask_contact("an.nguyen@example.vn") == "an***@example.vn"
    assert mask_contact(None) == "không để lại"
    assert "0912345678" not in summary_text("nội dung", None, "0912345678")
