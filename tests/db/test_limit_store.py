"""Request limits in the database: per key, a sliding window, no overshoot under concurrency."""

from __future__ import annotations

import datetime as dt
import threading

from bot.core.ratelimit import RateLimit
from bot.db.limit_store import HitStore
from tests.core.times import vn

NOW = vn(2025, 3, 20, 10, 0)
PER_MINUTE = RateLimit(3, dt.timedelta(minutes=1))


def seconds(s: float) -> dt.datetime:
    return NOW + dt.timedelta(seconds=s)


def test_a_key_is_refused_after_its_limit_until_the_oldest_leaves_the_window(services):
    store: HitStore = services.request_limits
    assert [store.hit("kiosk-ip:a", PER_MINUTE, now=seconds(i)) for i in range(3)] == [None] * 3
    assert store.hit("kiosk-ip:a", PER_MINUTE, now=seconds(10)) == seconds(60)
    assert store.hit("kiosk-ip:b", PER_MINUTE, now=seconds(10)) is None  # another address
    assert store.hit("kiosk-ip:a", PER_MINUTE, now=seconds(59)) is not None  # refusals are not counted...
    assert store.hit("kiosk-ip:a", PER_MINUTE, now=seconds(60)) is None  # ...so the window moves on


def test_the_count_survives_a_restart(services, settings):
    from bot.app import Services

    for i in range(3):
        services.request_limits.hit("kiosk-ip:a", PER_MINUTE, now=seconds(i))
    restarted = Services.from_settings(settings)
    try:
        assert restarted.request_limits.hit("kiosk-ip:a", PER_MINUTE, now=seconds(5)) == seconds(60)
    finally:
        restarted.engine.dispose()


def test_concurrent_requests_do_not_overshoot(services):
    store: HitStore = services.request_limits
    allowed: list[bool] = []
    start = threading.Barrier(10)

    def ask() -> None:
        start.wait()
        allowed.append(store.hit("kiosk-ip:a", PER_MINUTE, now=seconds(1)) is None)

    threads = [threading.Thread(target=ask) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(allowed) == [False] * 7 + [True] * 3
