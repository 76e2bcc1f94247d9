"""Feedback tickets and satisfaction levels."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.core.feedback import (
    LEVELS,
    FeedbackError,
    RatingRow,
    clean_contact,
    clean_content,
    find_ticket,
    format_ticket,
    is_skip,
    mask_contact,
    normalize_ticket,
    parse_rating,
    summarize,
    summary_text,
)


def test_ticket_numbers():
    assert format_ticket(dt.date(2025, 3, 12), 1) == "PAKN-20250312-0001"
    assert format_ticket(dt.date(2025, 3, 12), 42) == "PAKN-20250312-0042"
    with pytest.raises(FeedbackError):
        format_ticket(dt.date(2025, 3, 12), 10000)


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


def test_skip_words():
    assert is_skip("bỏ qua") and is_skip("Không") and is_skip("/skip")
    assert not is_skip("hồ sơ khai sinh")


def test_five_levels_from_buttons_and_words():
    assert list(LEVELS) == [5, 4, 3, 2, 1]
    assert parse_rating(5) == 5 and parse_rating("3") == 3 and parse_rating("4 sao") == 4
    assert parse_rating("rất hài lòng") == 5
    assert parse_rating("hai long") == 4
    assert parse_rating("bình thường") == 3
    assert parse_rating("không hài lòng") == 2
    assert parse_rating("rat khong hai long") == 1
    assert parse_rating(7) is None and parse_rating("ok chưa") is None and parse_rating(True) is None


def test_summary_per_channel_and_procedure():
    rows = [RatingRow(5, "telegram", "1.001193"), RatingRow(4, "telegram", "1.001193"),
            RatingRow(1, "rest", "3.000347"), RatingRow(5, "zalo", "1.001193")]
    overall, channels, topics = summarize(rows, {"1.001193": "Đăng ký khai sinh"})
    assert overall.total == 4 and overall.counts[5] == 2 and overall.percent(5) == 50.0
    assert overall.satisfied_percent == 75.0
    assert [c.group for c in channels] == ["telegram", "rest", "zalo"]
    assert topics[0].group == "1.001193 Đăng ký khai sinh" and topics[0].total == 3


def test_yes_no_cancel_and_channel_names():
    from bot.core.conversations import channel_name
    from bot.core.feedback import is_cancel, yes_or_no

    assert yes_or_no("Gửi đi") is True and yes_or_no("/affirm") is True and yes_or_no("x", "affirm") is True
    assert yes_or_no("hủy") is False and yes_or_no("không") is False
    assert yes_or_no("để tôi xem") is None
    assert is_cancel("Thôi") and is_cancel("hủy bỏ") and not is_cancel("000.00.12.H12-250312-0042")
    assert channel_name("telegram:42", "telegram") == "telegram"
    assert channel_name("kiosk:quay-1.abc", "rest") == "kiosk"
    assert channel_name("a1b2c3", "rest") == "rest"
    assert channel_name("a1b2c3", None) == "rest"
