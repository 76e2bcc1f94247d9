"""The dossier check rate limit: 5 failures in 15 minutes lock for the rest of the window."""

from __future__ import annotations

import datetime as dt

from bot.core.ratelimit import DOSSIER_CHECKS, RateLimit
from tests.core.times import vn

T0 = vn(2025, 3, 20, 10, 0)


def minutes(*offsets: float) -> list[dt.datetime]:
    return [T0 + dt.timedelta(minutes=m) for m in offsets]


def test_four_failures_do_not_lock():
    assert DOSSIER_CHECKS.locked_until(minutes(0, 1, 2, 3), T0 + dt.timedelta(minutes=4)) is None
    assert DOSSIER_CHECKS.remaining(minutes(0, 1, 2, 3), T0 + dt.timedelta(minutes=4)) == 1


def test_five_failures_in_the_window_lock_until_the_oldest_leaves_it():
    failures = minutes(0, 1, 2, 3, 4)
    assert DOSSIER_CHECKS.locked_until(failures, T0 + dt.timedelta(minutes=5)) == T0 + dt.timedelta(minutes=15)
    assert DOSSIER_CHECKS.locked_until(failures, T0 + dt.timedelta(minutes=14, seconds=59)) is not None
    assert DOSSIER_CHECKS.locked_until(failures, T0 + dt.timedelta(minutes=15)) is None


def test_failures_spread_over_more_than_the_window_do_not_lock():
    assert DOSSIER_CHECKS.locked_until(minutes(0, 5, 10, 15, 20), T0 + dt.timedelta(minutes=21)) is None


def test_limits_are_configurable():
    limit = RateLimit(max_failures=2, window=dt.timedelta(minutes=1))
    assert limit.locked_until(minutes(0, 0.5), T0 + dt.timedelta(seconds=40)) == T0 + dt.timedelta(minutes=1)
