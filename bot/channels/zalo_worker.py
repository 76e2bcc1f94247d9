"""Deliver queued notifications (dossier status, feedback answers) to Zalo users.

Each due row of channel "zalo" is sent through the customer-service API and
marked sent right after success; a failure is recorded with a later retry time
(backoff doubling from RETRY_BASE up to RETRY_MAX), and the store gives up
after its maximum number of attempts. A row is never marked twice per attempt,
and a retry of a split notification starts after the pieces already delivered.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from bot.channels.resume import send_remaining
from bot.channels.zalo import ZaloAPIError, ZaloClient
from bot.core.zalo_signature import messages
from bot.db.outbox_store import OutboxStore

logger = logging.getLogger(__name__)

CHANNEL = "zalo"
RETRY_BASE = dt.timedelta(seconds=30)
RETRY_MAX = dt.timedelta(hours=1)


def retry_at(attempts: int, now: dt.datetime | None = None) -> dt.datetime:
    now = now or dt.datetime.utcnow().replace(microsecond=0)
    return now + min(RETRY_BASE * (2 ** max(0, attempts)), RETRY_MAX)


async def deliver_due(outbox: OutboxStore, client: ZaloClient, limit: int = 50) -> tuple[int, int]:
    """Send the due Zalo notifications; (sent, failed)."""
    sent = failed = 0
    for message in outbox.due(CHANNEL, limit=limit):
        try:
            await send_remaining(outbox, message, messages(message.recipient_id, message.text), client.send)
        except ZaloAPIError as exc:
            logger.error("Zalo notification %s to %s failed: %s", message.id, message.recipient_id, exc)
            outbox.mark_failed(message.id, str(exc), retry_at=retry_at(message.attempts))
            failed += 1
            continue
        outbox.mark_sent(message.id)
        sent += 1
    return sent, failed


async def run_forever(outbox: OutboxStore, client: ZaloClient, interval: float = 5.0) -> None:
    while True:
        try:
            await deliver_due(outbox, client)
        except Exception:  # noqa: BLE001 - keep the worker alive (e.g. database briefly unavailable)
            logger.exception("Zalo worker: delivery round failed")
        await asyncio.sleep(interval)
