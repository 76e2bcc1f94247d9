"""Aware times for tests: `vn(2025, 3, 12, 8)` is 08:00 on 12 March 2025 in Vietnam."""

from __future__ import annotations

import datetime as dt

from bot.core.clock import UTC, VN_TZ


def vn(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> dt.datetime:
    """A Vietnam time, aware (UTC+7)."""
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=VN_TZ)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> dt.datetime:
    """A UTC time, aware."""
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=UTC)


class SettableClock:
    """A clock for stores and services that a test moves forward instead of sleeping."""

    def __init__(self, start: dt.datetime):
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **kwargs) -> None:
        self.now += dt.timedelta(**kwargs)
