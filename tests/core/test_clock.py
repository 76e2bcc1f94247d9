"""The time rule: aware times in memory, Vietnam time for what people read."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.core.clock import VN_TZ, format_day, format_day_time, now_utc, to_local, today_local
from tests.core.times import utc, vn


def test_now_is_aware_utc_to_the_second():
    now = now_utc()
    assert now.utcoffset() == dt.timedelta(0) and now.microsecond == 0


def test_today_is_the_vietnam_date():
    before = dt.datetime.now(VN_TZ).date()
    assert today_local() in (before, before + dt.timedelta(days=1))


def test_to_local_is_the_same_instant_on_the_vietnam_clock():
    local = to_local(utc(2025, 3, 11, 17, 30))
    assert local == utc(2025, 3, 11, 17, 30)
    assert (local.day, local.hour, local.minute, local.utcoffset()) == (12, 0, 30, dt.timedelta(hours=7))


def test_a_naive_time_is_refused():
    with pytest.raises(ValueError, match="naive"):
        to_local(dt.datetime(2025, 3, 12, 8, 0))
    with pytest.raises(ValueError, match="naive"):
        format_day(dt.datetime(2025, 3, 12, 8, 0))


def test_a_day_is_shown_as_it_is_in_vietnam():
    assert format_day(utc(2025, 3, 11, 17, 30)) == "12/03/2025", "00:30 in Vietnam"
    assert format_day(vn(2025, 3, 12, 23, 59)) == "12/03/2025"
    assert format_day(dt.date(2025, 3, 12)) == "12/03/2025"
    assert format_day_time(utc(2025, 3, 11, 17, 30)) == "12/03/2025 00:30"
