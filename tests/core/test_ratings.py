"""Satisfaction levels: read from buttons and words, counted per channel and procedure."""

from __future__ import annotations

from bot.core.ratings import LEVELS, RatingEntry, parse_rating, summarize


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
    rows = [RatingEntry(5, "telegram", "1.001193"), RatingEntry(4, "telegram", "1.001193"),
            RatingEntry(1, "rest", "3.000347"), RatingEntry(5, "zalo", "1.001193")]
    overall, channels, topics = summarize(rows, {"1.001193": "Đăng ký khai sinh"})
    assert overall.total == 4 and overall.counts[5] == 2 and overall.percent(5) == 50.0
    assert overall.satisfied_percent == 75.0
    assert [c.group for c in channels] == ["telegram", "rest", "zalo"]
    assert topics[0].group == "1.001193 Đăng ký khai sinh" and topics[0].total == 3
