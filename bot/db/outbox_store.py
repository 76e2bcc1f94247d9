"""The notification queue (table `outbox`) shared by the core and the channel adapters.

The core enqueues a message when a dossier a citizen follows changes or when
staff answer a feedback ticket; channel adapters (Telegram, Zalo) ask for the
messages due on their channel, claim each one before sending it, and mark it
sent or failed. Rows live in the database, so the queue survives a restart.

A claim is one atomic UPDATE that moves the message's next attempt CLAIM_LEASE
ahead, so of two workers (two processes, or two rounds) that saw the same
message due, exactly one sends it. A worker that dies mid-send leaves the
message to be tried again when the lease ends.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import Callable

from sqlalchemy import or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.core.clock import now_utc
from bot.db.engine import session_factory
from bot.db.models import OutboxRow

PENDING = "pending"
SENT = "sent"
FAILED = "failed"
MAX_ATTEMPTS = 5
MAX_ERROR_LENGTH = 2000
CLAIM_LEASE = dt.timedelta(minutes=5)  # how long a claimed message is left to its worker


@dataclass(frozen=True)
class OutboxMessage:
    id: int
    channel: str
    recipient_id: str
    text: str
    dedupe_key: str
    status: str
    attempts: int
    parts_sent: int
    last_error: str | None
    created_at: dt.datetime
    next_attempt_at: dt.datetime
    sent_at: dt.datetime | None


def _message(row: OutboxRow) -> OutboxMessage:
    values = {f.name: getattr(row, f.name) for f in fields(OutboxMessage)}
    return OutboxMessage(**{**values, "parts_sent": row.parts_sent or 0})


def new_row(channel: str, recipient_id: str, text: str, dedupe_key: str, now: dt.datetime) -> OutboxRow:
    """An unsaved pending row, due from `now` (aware); stores add it inside their own transaction."""
    return OutboxRow(
        channel=channel,
        recipient_id=str(recipient_id),
        text=text,
        dedupe_key=dedupe_key,
        status=PENDING,
        attempts=0,
        parts_sent=0,
        created_at=now,
        next_attempt_at=now,
    )


class OutboxStore:
    """Enqueue, list due, mark sent or failed. Times are aware (UTC when read back).

    `clock` is the same clock as the other stores'; `now()` reads it.
    """

    def __init__(self, engine: Engine, max_attempts: int = MAX_ATTEMPTS,
                 clock: Callable[[], dt.datetime] = now_utc):
        self._sessions = session_factory(engine)
        self.max_attempts = max_attempts
        self._clock = clock

    def now(self) -> dt.datetime:
        """The current time by the store's clock (aware); delivery rounds take theirs from here."""
        return self._clock()

    def enqueue(self, channel: str, recipient_id: str, text: str, dedupe_key: str) -> bool:
        """Queue a message; False (and nothing changes) when dedupe_key is already queued."""
        try:
            with self._sessions.begin() as session:
                if session.scalar(select(OutboxRow.id).where(OutboxRow.dedupe_key == dedupe_key)) is not None:
                    return False
                session.add(new_row(channel, recipient_id, text, dedupe_key, self.now()))
        except IntegrityError:  # PostgreSQL: another process queued the same key meanwhile
            return False
        return True

    def _is_due(self, now: dt.datetime):
        return (or_(OutboxRow.status == PENDING, OutboxRow.status == FAILED),
                OutboxRow.next_attempt_at <= now,
                OutboxRow.attempts < self.max_attempts)

    def due(self, channel: str, limit: int = 50, now: dt.datetime | None = None) -> list[OutboxMessage]:
        """Messages for `channel` to try now: pending, or failed with a retry time reached, oldest first.

        Another worker may see the same messages: `claim` each one before sending it.
        """
        now = now or self.now()
        with self._sessions() as session:
            rows = session.scalars(
                select(OutboxRow)
                .where(OutboxRow.channel == channel, *self._is_due(now))
                .order_by(OutboxRow.next_attempt_at, OutboxRow.id)
                .limit(limit)
            ).all()
            return [_message(r) for r in rows]

    def claim(self, id: int, now: dt.datetime | None = None,
              lease: dt.timedelta = CLAIM_LEASE) -> OutboxMessage | None:
        """Take a due message for sending: it is not due again before now + lease.

        Returns the message as it is now (pieces already sent included), or None
        when it is no longer due (another worker claimed it, or it was sent).
        """
        now = now or self.now()
        with self._sessions.begin() as session:
            claimed = session.execute(
                update(OutboxRow).where(OutboxRow.id == id, *self._is_due(now))
                .values(next_attempt_at=now + lease).execution_options(synchronize_session=False)
            ).rowcount
            return _message(session.get(OutboxRow, id)) if claimed == 1 else None

    def release(self, id: int, now: dt.datetime | None = None) -> None:
        """Hand a claimed message back unsent and without an attempt: it is due again at `now`."""
        now = now or self.now()
        with self._sessions.begin() as session:
            session.execute(
                update(OutboxRow).where(OutboxRow.id == id, OutboxRow.status != SENT, OutboxRow.next_attempt_at > now)
                .values(next_attempt_at=now).execution_options(synchronize_session=False))

    def mark_parts_sent(self, id: int, parts_sent: int) -> None:
        """Record that the first `parts_sent` pieces of a split message were delivered.

        Not an attempt: the message stays claimed, and a retry after a failure
        starts with the next piece instead of repeating the delivered ones.
        """
        with self._sessions.begin() as session:
            session.execute(
                update(OutboxRow).where(OutboxRow.id == id, OutboxRow.parts_sent < parts_sent)
                .values(parts_sent=parts_sent).execution_options(synchronize_session=False))

    def mark_sent(self, id: int) -> None:
        self._attempted(id, SENT, sent_at=self.now(), last_error=None)

    def mark_failed(self, id: int, error: str, retry_at: dt.datetime | None = None) -> None:
        """Record a failed attempt; with retry_at it is tried again then (until max_attempts), else never."""
        self._attempted(id, FAILED, last_error=(error or "")[:MAX_ERROR_LENGTH], retry_at=retry_at,
                        give_up=retry_at is None)

    def _attempted(self, id: int, status: str, *, retry_at: dt.datetime | None = None, give_up: bool = False,
                   **values) -> None:
        with self._sessions.begin() as session:
            row = session.get(OutboxRow, id, with_for_update=True)
            if row is None:
                return
            row.status = status
            row.attempts = (row.attempts or 0) + 1
            for key, value in values.items():
                setattr(row, key, value)
            if give_up:
                row.attempts = max(row.attempts, self.max_attempts)
            elif retry_at is not None:
                row.next_attempt_at = retry_at

    def get(self, id: int) -> OutboxMessage | None:
        with self._sessions() as session:
            row = session.get(OutboxRow, id)
            return _message(row) if row else None

    def for_recipient(self, channel: str, recipient_id: str) -> list[OutboxMessage]:
        with self._sessions() as session:
            rows = session.scalars(
                select(OutboxRow)
                .where(OutboxRow.channel == channel, OutboxRow.recipient_id == str(recipient_id))
                .order_by(OutboxRow.id)
            ).all()
            return [_message(r) for r in rows]

    def all(self) -> list[OutboxMessage]:
        with self._sessions() as session:
            return [_message(r) for r in session.scalars(select(OutboxRow).order_by(OutboxRow.id)).all()]
