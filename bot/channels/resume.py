"""Send the pieces of a queued notification, resuming after those already delivered.

A notification longer than a channel's limit goes out in several messages.
After each piece but the last, the outbox records how many pieces reached the
citizen; when a later piece fails, the retry starts there instead of sending
the first pieces again. The caller marks the row sent after the last piece.
"""

from __future__ import annotations

import asyncio
from typing import Awaitable, Callable, Sequence, TypeVar

Piece = TypeVar("Piece")


async def send_remaining(outbox, message, pieces: Sequence[Piece],
                         send: Callable[[Piece], Awaitable[object]]) -> None:
    """Send pieces[message.parts_sent:] in order; exceptions from `send` propagate."""
    for index in range(min(message.parts_sent, len(pieces)), len(pieces)):
        await send(pieces[index])
        if index + 1 < len(pieces):
            await asyncio.to_thread(outbox.mark_parts_sent, message.id, index + 1)
