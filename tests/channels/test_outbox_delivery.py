"""The outbox delivery loop shared by Telegram and Zalo, against a real OutboxStore and fake senders.

Pieces, resuming after the ones delivered, marking sent, retry times, giving up
and ending a round are tested here once; the channels' own tests keep only what
is theirs (how their errors map to a Failure, how they cut pieces, one delivery
end to end).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

import pytest

from bot.channels.outbox_delivery import Failure, deliver_due, retry_delay, run_forever, send_remaining
from bot.db.engine import make_engine, upgrade
from bot.db.outbox_store import OutboxStore

CHANNEL = "telegram"
OTHER_CHANNEL = "zalo"


@pytest.fixture
def outbox(settings):
    engine = make_engine(settings.database_url)
    upgrade(engine)
    yield OutboxStore(engine)
    engine.dispose()


def words(message):
    """The fake channel's pieces: one per word."""
    return message.text.split()


class Sender:
    """A fake channel's send: records each piece with what the outbox said while it was sent.

    The calls numbered in `fail_calls` (1, 2, ...) raise `error` instead.
    """

    def __init__(self, outbox: OutboxStore, fail_calls: set[int] = frozenset(), error: Exception | None = None):
        self.outbox = outbox
        self.fail_calls = fail_calls
        self.error = error or ConnectionError("mạng chập chờn")
        self.calls = 0
        self.sent: list[tuple[int, str]] = []  # (message id, piece)
        self.seen: list[tuple[str, int, str]] = []  # (piece, parts_sent, status) as stored when it was sent

    async def __call__(self, message, piece: str) -> None:
        self.calls += 1
        if self.calls in self.fail_calls:
            raise self.error
        row = self.outbox.get(message.id)
        self.seen.append((piece, row.parts_sent, row.status))
        self.sent.append((message.id, piece))

    def pieces_of(self, id: int) -> list[str]:
        return [piece for message_id, piece in self.sent if message_id == id]


class Failures:
    """A fake channel's failure mapping: always `retry_after`, and a record of what it was asked."""

    def __init__(self, retry_after: dt.timedelta | None):
        self.retry_after = retry_after
        self.asked: list[tuple[int, Exception]] = []

    def __call__(self, message, exc: Exception) -> Failure:
        self.asked.append((message.id, exc))
        return Failure(f"{type(exc).__name__}: {exc}", self.retry_after)


def _enqueue(outbox: OutboxStore, text: str, key: str, channel: str = CHANNEL):
    assert outbox.enqueue(channel, "42", text, key)
    (message,) = [m for m in outbox.all() if m.dedupe_key == key]
    return message


async def _deliver(outbox, send, failure=None, now=None, limit: int = 50):
    return await deliver_due(outbox, CHANNEL, pieces=words, send=send, failure=failure or Failures(retry_delay(0)),
                             now=now, limit=limit)


def test_retry_delay_doubles_from_thirty_seconds_up_to_an_hour():
    seconds = [retry_delay(attempts).total_seconds() for attempts in range(9)]
    assert seconds == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]
    assert retry_delay(20) == dt.timedelta(hours=1)  # the store gives up after 5 attempts long before
    assert retry_delay(10_000) == dt.timedelta(hours=1)  # no overflow however often it failed
    assert retry_delay(-1) == dt.timedelta(seconds=30)


async def test_pieces_go_in_order_and_the_message_is_marked_sent_after_the_last(outbox):
    first = _enqueue(outbox, "một hai ba", "k1")
    second = _enqueue(outbox, "bốn", "k2")
    send = Sender(outbox)
    assert await _deliver(outbox, send, now=second.created_at) == (2, 0)  # the later one: both are due
    # parts_sent grows after each piece but the last; the row is still pending while pieces go
    assert send.seen == [("một", 0, "pending"), ("hai", 1, "pending"), ("ba", 2, "pending"), ("bốn", 0, "pending")]
    assert send.pieces_of(first.id) == ["một", "hai", "ba"] and send.pieces_of(second.id) == ["bốn"]
    for message in (first, second):
        row = outbox.get(message.id)
        assert (row.status, row.attempts, row.last_error) == ("sent", 1, None) and row.sent_at is not None
    assert await _deliver(outbox, send, now=first.created_at + dt.timedelta(days=1)) == (0, 0)
    assert len(send.sent) == 4  # sent once, never again


async def test_only_the_channel_s_messages_and_at_most_limit_per_round(outbox):
    mine = _enqueue(outbox, "một", "k1")
    _enqueue(outbox, "khác kênh", "k2", channel=OTHER_CHANNEL)
    later = _enqueue(outbox, "hai", "k3")
    send = Sender(outbox)
    assert await _deliver(outbox, send, now=later.created_at, limit=1) == (1, 0)
    assert send.sent == [(mine.id, "một")]
    assert await _deliver(outbox, send, now=later.created_at) == (1, 0)
    assert send.sent == [(mine.id, "một"), (later.id, "hai")]
    assert [m.status for m in outbox.all()] == ["sent", "pending", "sent"]


async def test_a_failed_piece_is_retried_at_the_channel_s_time_after_the_pieces_delivered(outbox):
    message = _enqueue(outbox, "một hai ba", "k1")
    now = message.created_at
    error = ConnectionError("mạng chập chờn")
    send, failure = Sender(outbox, fail_calls={2}, error=error), Failures(dt.timedelta(minutes=5))
    assert await _deliver(outbox, send, failure, now=now) == (0, 1)
    assert failure.asked == [(message.id, error)]
    row = outbox.get(message.id)
    assert (row.status, row.attempts, row.parts_sent) == ("failed", 1, 1)
    assert row.last_error == "ConnectionError: mạng chập chờn"
    assert row.next_attempt_at == now + dt.timedelta(minutes=5)

    assert await _deliver(outbox, send, failure, now=now + dt.timedelta(minutes=4)) == (0, 0)  # not due yet
    assert await _deliver(outbox, send, failure, now=row.next_attempt_at) == (1, 0)
    assert send.pieces_of(message.id) == ["một", "hai", "ba"]  # each piece reached the citizen once
    assert send.seen[1:] == [("hai", 1, "failed"), ("ba", 2, "failed")]  # the retry started with piece 2
    row = outbox.get(message.id)
    assert (row.status, row.attempts) == ("sent", 2)
    assert await _deliver(outbox, send, failure, now=now + dt.timedelta(days=1)) == (0, 0)


async def test_one_failed_message_does_not_hold_up_the_others(outbox):
    failing = _enqueue(outbox, "một", "k1")
    fine = _enqueue(outbox, "hai", "k2")
    send = Sender(outbox, fail_calls={1})
    assert await _deliver(outbox, send, now=fine.created_at) == (1, 1)
    assert (outbox.get(failing.id).status, outbox.get(fine.id).status) == ("failed", "sent")


async def test_a_failure_without_retry_time_gives_up(outbox):
    message = _enqueue(outbox, "một hai", "k1")
    send, failure = Sender(outbox, fail_calls={1}, error=PermissionError("bot bị chặn")), Failures(None)
    assert await _deliver(outbox, send, failure, now=message.created_at) == (0, 1)
    row = outbox.get(message.id)
    assert (row.status, row.last_error) == ("failed", "PermissionError: bot bị chặn")
    assert outbox.due(CHANNEL, now=message.created_at + dt.timedelta(days=365)) == []
    assert await _deliver(outbox, send, failure, now=message.created_at + dt.timedelta(days=365)) == (0, 0)
    assert send.sent == []


async def test_an_exception_the_channel_re_raises_ends_the_round_and_the_message_stays_due(outbox):
    first = _enqueue(outbox, "một hai ba", "k1")
    second = _enqueue(outbox, "bốn", "k2")

    def reraise(message, exc):
        raise exc

    send = Sender(outbox, fail_calls={2}, error=RuntimeError("lỗi lập trình"))
    with pytest.raises(RuntimeError, match="lỗi lập trình"):
        await _deliver(outbox, send, reraise, now=second.created_at)
    assert send.sent == [(first.id, "một")]  # the second message was not tried
    row = outbox.get(first.id)
    assert (row.status, row.attempts, row.parts_sent) == ("pending", 0, 1)  # not counted as an attempt

    send = Sender(outbox)
    assert await _deliver(outbox, send, reraise, now=second.created_at) == (2, 0)
    assert send.sent == [(first.id, "hai"), (first.id, "ba"), (second.id, "bốn")]


async def test_send_remaining_starts_after_parts_sent_and_lets_exceptions_through(outbox):
    message = _enqueue(outbox, "một hai ba bốn", "k1")
    outbox.mark_parts_sent(message.id, 2)
    (message,) = outbox.due(CHANNEL, now=message.created_at)
    sent = []

    async def send(piece):
        sent.append(piece)

    await send_remaining(outbox, message, words(message), send)
    assert sent == ["ba", "bốn"]
    assert outbox.get(message.id).parts_sent == 3  # recorded after each piece but the last

    sent.clear()
    await send_remaining(outbox, message, ["một"], send)  # fewer pieces than already delivered
    assert sent == []

    async def broken(piece):
        if piece == "bốn":
            raise ConnectionError(piece)
        sent.append(piece)

    with pytest.raises(ConnectionError):
        await send_remaining(outbox, message, words(message), broken)
    assert sent == ["ba"]


async def test_run_forever_waits_interval_between_rounds_and_survives_a_failed_round(caplog):
    rounds = 0
    third = asyncio.Event()

    async def deliver():
        nonlocal rounds
        rounds += 1
        if rounds == 1:
            raise RuntimeError("database is locked")
        if rounds == 3:
            third.set()

    with caplog.at_level(logging.ERROR, logger="bot.channels.outbox_delivery"):
        worker = asyncio.create_task(run_forever(deliver, 0, "Kênh thử"))
        await asyncio.wait_for(third.wait(), 10)
        worker.cancel()
        with pytest.raises(asyncio.CancelledError):
            await worker
    assert "Kênh thử: notification round failed" in caplog.text and "database is locked" in caplog.text

    rounds = 0
    slow = asyncio.create_task(run_forever(deliver, 3600, "Kênh thử"))
    for _ in range(20):
        await asyncio.sleep(0)
    assert rounds == 1  # the first round failed, the next one waits an hour
    slow.cancel()
    with pytest.raises(asyncio.CancelledError):
        await slow
