"""Short answers typed in any form: skip, yes or no, cancel."""

from __future__ import annotations

from bot.core.short_answers import is_cancel, is_skip, yes_or_no


def test_skip_words():
    assert is_skip("bỏ qua") and is_skip("Không") and is_skip("/skip")
    assert not is_skip("hồ sơ khai sinh")


def test_yes_no_and_cancel():
    assert yes_or_no("Gửi đi") is True and yes_or_no("/affirm") is True and yes_or_no("x", "affirm") is True
    assert yes_or_no("hủy") is False and yes_or_no("không") is False
    assert yes_or_no("để tôi xem") is None
    assert is_cancel("Thôi") and is_cancel("hủy bỏ") and not is_cancel("000.00.12.H12-250312-0042")
