"""The notification queue: idempotent enqueue, due order, retries, survives a new engine."""

from __future__ import annotations

import datetime as dt

from bot.core.clock import now_utc
from bot.db.engine import make_engine, upgrade
from bot.db.outbox_store import FAILED, SENT, OutboxStore


def _store(settings):
    engine = make_engine(settings.database_url)
    upgrade(engine)
    return engine, OutboxStore(engine)


def test_enqueue_is_idempotent_on_dedupe_key(settings):
    engine, store = _store(settings)
    assert store.enqueue("telegram", "42", "Xin chào", "k1") is True
    assert store.enqueue("telegram", "42", "Xin chào lần nữa", "k1") is False
    assert [m.text for m in store.all()] == ["Xin chào"]
    engine.dispose()


def test_due_lists_only_the_channel_and_pending_in_order(settings):
    engine, store = _store(settings)
    store.enqueue("telegram", "1", "một", "a")
    store.enqueue("zalo", "2", "hai", "b")
    store.enqueue("telegram", "3", "ba", "c")
    assert [m.text for m in store.due("telegram")] == ["một", "ba"]
    assert [m.text for m in store.due("telegram", limit=1)] == ["một"]
    engine.dispose()


def test_sent_messages_are_not_due_again(settings):
    engine, store = _store(settings)
    store.enqueue("zalo", "2", "hai", "b")
    (message,) = store.due("zalo")
    store.mark_sent(message.id)
    assert store.due("zalo") == []
    assert store.get(message.id).status == SENT
    assert store.get(message.id).sent_at is not None
    engine.dispose()


def test_failed_messages_come_back_at_retry_time(settings):
    engine, store = _store(settings)
    store.enqueue("telegram", "1", "một", "a")
    (message,) = store.due("telegram")
    now = now_utc()
    store.mark_failed(message.id, "timeout", retry_at=now + dt.timedelta(minutes=5))
    assert store.due("telegram", now=now) == []
    (again,) = store.due("telegram", now=now + dt.timedelta(minutes=6))
    assert again.status == FAILED and again.attempts == 1 and again.last_error == "timeout"
    engine.dispose()


def test_failed_without_retry_time_is_given_up(settings):
    engine, store = _store(settings)
    store.enqueue("telegram", "1", "một", "a")
    (message,) = store.due("telegram")
    store.mark_failed(message.id, "blocked by user")
    assert store.due("telegram", now=now_utc() + dt.timedelta(days=1)) == []
    engine.dispose()


def test_gives_up_after_max_attempts(settings):
    engine, store = _store(settings)
    store.enqueue("telegram", "1", "một", "a")
    later = now_utc()
    for _ in range(store.max_attempts):
        (message,) = store.due("telegram", now=later + dt.timedelta(days=1))
        store.mark_failed(message.id, "err", retry_at=later)
    assert store.due("telegram", now=later + dt.timedelta(days=1)) == []
    engine.dispose()


def test_queue_survives_a_restart(settings):
    engine, store = _store(settings)
    store.enqueue("zalo", "9", "kết quả đã có", "k")
    engine.dispose()
    engine, store = _store(settings)
    assert [m.text for m in store.due("zalo")] == ["kết quả đã có"]
    engine.dispose()


def test_parts_sent_is_kept_without_counting_an_attempt(settings):
    engine, store = _store(settings)
    store.enqueue("telegram", "42", "một. hai. ba.", "parts")
    (message,) = store.due("telegram")
    assert message.parts_sent == 0
    store.mark_parts_sent(message.id, 2)
    store.mark_parts_sent(message.id, 1)  # never goes back
    (message,) = store.due("telegram")
    assert (message.parts_sent, message.attempts, message.status) == (2, 0, "pending")
    engine.dispose()


def test_a_claimed_message_is_not_due_until_its_lease_ends_or_it_is_released(settings):
    engine, store = _store(settings)
    store.enqueue("telegram", "1", "một", "a")
    (message,) = store.due("telegram")
    now = now_utc()
    claimed = store.claim(message.id, now=now, lease=dt.timedelta(minutes=5))
    assert claimed is not None and claimed.id == message.id
    assert store.claim(message.id, now=now) is None, "a second claim gets nothing"
    assert store.due("telegram", now=now) == []
    assert [m.id for m in store.due("telegram", now=now + dt.timedelta(minutes=6))] == [message.id]
    store.release(message.id, now=now)
    assert [m.id for m in store.due("telegram", now=now)] == [message.id]
    store.claim(message.id, now=now)
    store.mark_sent(message.id)
    store.release(message.id, now=now)
    assert store.due("telegram", now=now + dt.timedelta(days=1)) == [] and store.get(message.id).status == SENT
    engine.dispose()
