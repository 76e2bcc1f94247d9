"""Deliver queued notifications (table `outbox`) for one channel: shared by Telegram and Zalo.

Each due message is claimed first (`OutboxStore.claim`), so that when two
workers see it due only one sends it, then cut into the channel's pieces and
sent in order. After each
piece but the last, the outbox records how many reached the citizen, so a retry
after a failure starts with the next piece instead of repeating delivered ones.
A message is marked sent after its last piece. On a failure the channel decides:
retry after a delay (backoff doubling from RETRY_BASE up to RETRY_MAX, at least
what the channel asks), give up, or re-raise to end the round (the message is
handed back unsent, due again at once).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass
from typing import Awaitable, Callable, Sequence

from bot.db.outbox_store import OutboxMessage

logger = logging.getLogger(__name__)

RETRY_BASE = dt.timedelta(seconds=30)
RETRY_MAX = dt.timedelta(hours=1)


def retry_delay(attempts: int) -> dt.timedelta:
    """How long to wait after the `attempts`-th failure (counting from 0)."""
    # The exponent is capped: past RETRY_MAX the answer no longer changes, and 2**n would overflow.
    return min(RETRY_MAX, RETRY_BASE * 2 ** min(max(0, attempts), 16))


@dataclass(frozen=True)
class Failure:
    """What to record of a failed message: `retry_after` None means give up."""

    error: str
    retry_after: dt.timedelta | None


async def send_remaining(outbox, message: OutboxMessage, pieces: Sequence, send: Callable[[object], Awaitable]) -> None:
    """Send pieces[message.parts_sent:] in order; exceptions from `send` propagate."""
    for index in range(min(message.parts_sent, len(pieces)), len(pieces)):
        await send(pieces[index])
        if index + 1 < len(pieces):
            await asyncio.to_thread(outbox.mark_parts_sent, message.id, index + 1)


async def deliver_due(outbox, channel: str, *, pieces: Callable[[OutboxMessage], Sequence],
                      send: Callable[[OutboxMessage, object], Awaitable],
                      failure: Callable[[OutboxMessage, Exception], Failure],
                      now: dt.datetime | None = None, limit: int = 50) -> tuple[int, int]:
    """Send the messages of `channel` due `now` (default: the outbox's clock); (sent, failed)."""
    now = now or outbox.now()
    sent = failed = 0
    for candidate in await asyncio.to_thread(outbox.due, channel, limit, now):
        message = await asyncio.to_thread(outbox.claim, candidate.id, now)
        if message is None:
            continue  # another worker took it
        try:
            await send_remaining(outbox, message, pieces(message), lambda piece: send(message, piece))
        except Exception as exc:  # noqa: BLE001 - the channel's `failure` decides, or re-raises
            try:
                outcome = failure(message, exc)
            except BaseException:
                await asyncio.to_thread(outbox.release, message.id, now)
                raise
            retry_at = now + outcome.retry_after if outcome.retry_after is not None else None
            await asyncio.to_thread(outbox.mark_failed, message.id, outcome.error, retry_at)
            failed += 1
            continue
        await asyncio.to_thread(outbox.mark_sent, message.id)
        sent += 1
    return sent, failed


async def run_forever(deliver: Callable[[], Awaitable], interval: float, name: str) -> None:
    """Call `deliver` every `interval` seconds; a failed round is logged and the next one tried."""
    while True:
        try:
            await deliver()
        except Exception:  # noqa: BLE001 - e.g. the database briefly locked: keep the worker alive
            logger.exception("%s: notification round failed", name)
        await asyncio.sleep(interval)
