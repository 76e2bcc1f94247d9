"""Concurrent writers lose no update: each worker is a thread with its own engine (own connections).

Each test runs on an SQLite file and on PostgreSQL (see `database_url` in conftest).
The workers start each step together (a barrier), so their reads and writes overlap.
"""

from __future__ import annotations

import asyncio
import sqlite3
import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text

from bot.channels.outbox_delivery import Failure, deliver_due
from bot.core.dossiers.access import CheckLimits
from bot.core.ratelimit import RateLimit
from bot.db.dossier_store import DossierStore
from bot.db.engine import make_engine, session_factory, upgrade
from bot.db.feedback_store import FeedbackStore, RatingStore
from bot.db.outbox_store import OutboxStore
from tests.core.times import utc

WORKERS = 4
NOW = utc(2026, 1, 5, 3, 0)


@pytest.fixture
def url(database_url):
    engine = make_engine(database_url)
    upgrade(engine)
    engine.dispose()
    return database_url


def run_together(url, make_store, step, workers=WORKERS, rounds=1):
    """Call step(store, worker, round) in `workers` threads, each over its own engine; the results in a list."""
    barrier = threading.Barrier(workers)

    def worker(index):
        engine = make_engine(url)
        try:
            store = make_store(engine)
            results = []
            for r in range(rounds):
                barrier.wait(timeout=60)
                results.append(step(store, index, r))
            return results
        finally:
            engine.dispose()

    with ThreadPoolExecutor(workers) as pool:
        return [result for future in [pool.submit(worker, i) for i in range(workers)] for result in future.result()]


def test_two_workers_never_send_the_same_message(url):
    engine = make_engine(url)
    outbox = OutboxStore(engine, clock=lambda: NOW)
    messages = 10
    for i in range(messages):
        outbox.enqueue("telegram", str(i), f"Hồ sơ {i} đã có kết quả.", f"k{i}")
    sent: list[tuple[int, str]] = []

    def deliver(store, worker, _round):
        async def send(message, piece):
            await asyncio.sleep(0.01)  # the other workers read the queue meanwhile
            sent.append((worker, message.recipient_id))

        return asyncio.run(deliver_due(store, "telegram", pieces=lambda m: [m.text], send=send,
                                       failure=lambda m, e: Failure(str(e), None), now=NOW))

    outcomes = run_together(url, lambda e: OutboxStore(e, clock=lambda: NOW), deliver)

    assert sorted(recipient for _, recipient in sent) == sorted(str(i) for i in range(messages)), \
        "every message sent exactly once"
    assert sum(s for s, _ in outcomes) == messages
    assert {m.status for m in outbox.all()} == {"sent"} and {m.attempts for m in outbox.all()} == {1}
    engine.dispose()


def test_concurrent_attempt_counts_add_up(url):
    """N workers × R failed attempts on one message: attempts is N × R (a read-then-write counter)."""
    engine = make_engine(url)
    outbox = OutboxStore(engine, max_attempts=10_000)
    outbox.enqueue("zalo", "1", "một", "k")
    (message,) = outbox.all()
    rounds = 15

    run_together(url, lambda e: OutboxStore(e, max_attempts=10_000),
                 lambda store, w, r: store.mark_failed(message.id, f"lỗi {w}.{r}", retry_at=NOW), rounds=rounds)

    assert outbox.get(message.id).attempts == WORKERS * rounds
    engine.dispose()


def test_concurrent_tickets_get_distinct_consecutive_numbers(url):
    engine = make_engine(url)
    per_worker = 3

    tickets = run_together(
        url, lambda e: FeedbackStore(e, clock=lambda: NOW),
        lambda store, w, r: store.create(sender_id=f"rest:{w}", channel="rest", content=f"Phản ánh {w}.{r}"),
        workers=6, rounds=per_worker)

    numbers = sorted(int(t.ticket.rsplit("-", 1)[1]) for t in tickets)
    assert numbers == list(range(1, 6 * per_worker + 1))
    assert len(FeedbackStore(engine).list()) == 6 * per_worker
    engine.dispose()


def test_concurrent_ratings_of_one_conversation_keep_one_row(url):
    engine = make_engine(url)
    run_together(url, RatingStore,
                 lambda store, w, r: store.record(sender_id="telegram:9", channel="telegram", topic="khac",
                                                  context="procedure_answer", level=w + 1))
    assert len(RatingStore(engine).all()) == 1
    engine.dispose()


def test_checks_sent_at_once_cannot_overshoot_the_lock_out(url):
    limit = RateLimit(max_failures=3, window=dt.timedelta(minutes=15))
    engine = make_engine(url)

    results = run_together(url, lambda e: DossierStore(e, limits=CheckLimits(per_sender=limit)),
                           lambda store, w, r: store.check("kiosk:x", "000.00.12.H12-250312-0042", "0000", now=NOW)
                           .kind, workers=6, rounds=2)

    # the failure that reaches the limit already answers "locked"
    assert results.count("no_match") == limit.max_failures - 1
    assert results.count("locked") == len(results) - limit.max_failures + 1
    with session_factory(engine)() as session:
        assert session.scalar(text("select count(*) from dossier_check_failures")) == limit.max_failures
    engine.dispose()


def test_sqlite_write_transactions_hold_the_write_lock_from_their_start_and_reads_do_not(tmp_path):
    path = tmp_path / "lock.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    sessions = session_factory(engine)

    def another_writer_can_start() -> bool:
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            return True
        except sqlite3.OperationalError as exc:
            assert "locked" in str(exc)
            return False
        finally:
            other.close()

    with sessions.begin():  # nothing read or written yet: the lock is taken at BEGIN IMMEDIATE
        assert not another_writer_can_start()
    assert another_writer_can_start()
    with sessions() as reader:
        assert reader.scalar(text("select count(*) from outbox")) == 0
        assert reader.in_transaction()
        assert another_writer_can_start(), "a read transaction does not block writers (WAL)"
    engine.dispose()
