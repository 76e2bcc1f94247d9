"""Deliver queued notifications (dossier status, feedback answers) to Zalo users.

Each due row of channel "zalo" is sent through the customer-service API and
marked sent right after success; a failure is recorded with a later retry time
(backoff doubling, bot/channels/outbox_delivery.py), and the store gives up
after its maximum number of attempts. A row is never marked twice per attempt,
and a retry of a split notification starts after the pieces already delivered.
"""

from __future__ import annotations

import logging

from bot.channels import outbox_delivery
from bot.channels.outbox_delivery import Failure, retry_delay
from bot.channels.zalo_api import ZaloAPIError, ZaloClient
from bot.core.zalo_messages import messages
from bot.db.outbox_store import OutboxStore

logger = logging.getLogger(__name__)

CHANNEL = "zalo"


def _failure(message, exc: Exception) -> Failure:
    if not isinstance(exc, ZaloAPIError):
        raise exc  # not an API answer: end the round, the message stays due
    logger.error("Zalo notification %s to %s failed: %s", message.id, message.recipient_id, exc)
    return Failure(str(exc), retry_delay(message.attempts))


async def deliver_due(outbox: OutboxStore, client: ZaloClient, limit: int = 50) -> tuple[int, int]:
    """Send the due Zalo notifications; (sent, failed)."""
    return await outbox_delivery.deliver_due(
        outbox, CHANNEL, limit=limit, failure=_failure,
        pieces=lambda message: messages(message.recipient_id, message.text),
        send=lambda message, body: client.send(body))


async def run_forever(outbox: OutboxStore, client: ZaloClient, interval: float = 5.0) -> None:
    await outbox_delivery.run_forever(lambda: deliver_due(outbox, client), interval, "Zalo worker")
