"""Processed webhook events: each id once, across store instances (a restart), pruned after `keep`."""

from __future__ import annotations

import datetime as dt

from bot.db.engine import make_engine, upgrade
from bot.db.event_store import PRUNE_EVERY, ProcessedEventStore
from tests.core.times import utc

T0 = utc(2026, 3, 1, 8, 0)


class Clock:
    def __init__(self, now: dt.datetime):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def test_an_event_id_is_first_seen_once_even_by_a_new_store(database_url):
    engine = make_engine(database_url)
    try:
        upgrade(engine)
        store = ProcessedEventStore(engine, clock=Clock(T0))
        assert store.first_time("zalo", "m-1")
        assert not store.first_time("zalo", "m-1")
        assert store.first_time("telegram", "m-1")  # ids are per channel
        restarted = ProcessedEventStore(engine, clock=Clock(T0 + dt.timedelta(minutes=1)))
        assert not restarted.first_time("zalo", "m-1")
        long_id = "x" * 5000
        assert restarted.first_time("zalo", long_id) and not restarted.first_time("zalo", long_id)
    finally:
        engine.dispose()


def test_old_ids_are_pruned_while_recording(database_url):
    engine = make_engine(database_url)
    try:
        upgrade(engine)
        clock = Clock(T0)
        store = ProcessedEventStore(engine, clock=clock, keep=dt.timedelta(hours=1))
        assert store.first_time("zalo", "old")
        clock.now = T0 + dt.timedelta(minutes=30)
        assert store.first_time("zalo", "recent")
        assert store.count("zalo") == 2  # less than PRUNE_EVERY since the last prune: nothing pruned yet
        clock.now = T0 + dt.timedelta(hours=1) + PRUNE_EVERY
        assert store.first_time("zalo", "new")
        assert store.count("zalo") == 2  # "old" is gone, "recent" is kept
        assert store.first_time("zalo", "old")  # forgotten: past the window a replay is refused by its timestamp
        assert store.prune(clock.now + dt.timedelta(seconds=1)) == 3
    finally:
        engine.dispose()
