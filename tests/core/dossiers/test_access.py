"""Failed dossier checks are limited per conversation, kiosk address, code and overall."""

from __future__ import annotations

import datetime as dt

from bot.core.dossiers.access import CODE, IP, OVERALL, SENDER, CheckLimits, Failure
from bot.core.ratelimit import RateLimit
from tests.core.times import vn

T0 = vn(2025, 3, 20, 10, 0)
A, B = "000.00.12.H12-250312-0042", "000.00.12.H12-250312-0043"


def at(minutes: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def test_a_new_conversation_does_not_reset_the_count_for_a_code():
    limits = CheckLimits()
    failures = [Failure(at(i), f"rest:attacker-{i}", A) for i in range(10)]
    lock = limits.lockout(failures, at(10), sender_id="rest:attacker-99", code=A)
    assert lock is not None and lock.scope == CODE and lock.until == at(60)
    # the code is refused to everyone, the right phone included, until the oldest failure is an hour old
    assert limits.lockout(failures, at(59.9), sender_id="telegram:owner", code=A).scope == CODE
    assert limits.lockout(failures, at(60), sender_id="telegram:owner", code=A) is None
    # other codes are not affected, nor the start of a check whose code is not typed yet
    assert limits.lockout(failures, at(10), sender_id="telegram:owner", code=B) is None
    assert limits.lockout(failures, at(10), sender_id="telegram:owner") is None


def test_nine_failures_on_a_code_still_allow_a_check():
    failures = [Failure(at(i), f"s{i}", A) for i in range(9)]
    assert CheckLimits().lockout(failures, at(10), sender_id="s", code=A) is None


def test_the_conversation_limit_is_as_before():
    failures = [Failure(at(i), "kiosk:1.a", code) for i, code in enumerate([A, B, A, B, A])]
    lock = CheckLimits().lockout(failures, at(5), sender_id="kiosk:1.a", code=B)
    assert lock.scope == SENDER and lock.until == at(15)
    assert CheckLimits().lockout(failures, at(5), sender_id="kiosk:1.b", code=B) is None


def test_a_kiosk_address_is_limited_across_its_sessions():
    limits = CheckLimits.of(per_ip=3)
    failures = [Failure(at(i), f"kiosk:1.s{i}", f"000.00.12.H12-250312-00{i:02d}", ip="10.0.0.7") for i in range(3)]
    lock = limits.lockout(failures, at(3), sender_id="kiosk:1.new", code=B, ip="10.0.0.7")
    assert lock.scope == IP and lock.until == at(60)
    assert limits.lockout(failures, at(3), sender_id="kiosk:2.new", code=B, ip="10.0.0.8") is None
    assert limits.lockout(failures, at(3), sender_id="kiosk:2.new", code=B) is None


def test_the_overall_budget_stops_every_check_for_the_rest_of_the_hour():
    limits = CheckLimits.of(overall=4)
    failures = [Failure(at(i), f"s{i}", f"000.00.12.H12-250312-00{i:02d}") for i in range(4)]
    lock = limits.lockout(failures, at(30), sender_id="someone-else", code=A)
    assert lock.scope == OVERALL and lock.until == at(60)
    assert limits.lockout(failures, at(60), sender_id="someone-else", code=A) is None


def test_the_most_general_limit_is_named_first():
    limits = CheckLimits(per_sender=RateLimit(1, dt.timedelta(hours=1)), overall=RateLimit(1, dt.timedelta(hours=1)))
    assert limits.lockout([Failure(at(0), "s", A)], at(1), sender_id="s", code=A).scope == OVERALL
    assert limits.window == dt.timedelta(hours=1)
