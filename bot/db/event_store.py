"""Webhook events already accepted (table `processed_events`): at most once, across restarts.

Zalo retries an event it thinks was not received, and anyone who captured a
signed request could send it again; either way the event's `msg_id` is here
already and the event is acknowledged without being answered twice. Ids are
kept for `keep` (longer than the timestamp window, past which a replay is
refused anyway) and pruned at most once per `PRUNE_EVERY` while recording.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Callable

from sqlalchemy import delete, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.core.clock import now_utc
from bot.db.engine import session_factory
from bot.db.models import ProcessedEventRow

MAX_ID_CHARS = 100
PRUNE_EVERY = dt.timedelta(minutes=10)
DEFAULT_KEEP = dt.timedelta(days=1)


def _stored_id(event_id: str) -> str:
    """The id as stored: longer ids (never seen from Zalo) by their SHA-256."""
    return event_id if len(event_id) <= MAX_ID_CHARS else "sha256:" + hashlib.sha256(event_id.encode()).hexdigest()


class ProcessedEventStore:
    def __init__(self, engine: Engine, clock: Callable[[], dt.datetime] = now_utc, keep: dt.timedelta = DEFAULT_KEEP):
        self._sessions = session_factory(engine)
        self._clock = clock
        self.keep = keep
        self._last_prune: dt.datetime | None = None

    def first_time(self, channel: str, event_id: str) -> bool:
        """Record the event; False when it was recorded before (a retry or a replay)."""
        now = self._clock()
        try:
            with self._sessions.begin() as session:
                session.add(ProcessedEventRow(channel=channel, event_id=_stored_id(event_id), received_at=now))
        except IntegrityError:
            return False
        if self._last_prune is None or now - self._last_prune >= PRUNE_EVERY:
            self._last_prune = now
            self.prune(now - self.keep)
        return True

    def prune(self, older_than: dt.datetime) -> int:
        """Forget events received before `older_than`; how many were forgotten."""
        with self._sessions.begin() as session:
            result = session.execute(delete(ProcessedEventRow).where(ProcessedEventRow.received_at < older_than))
            return result.rowcount or 0

    def count(self, channel: str | None = None) -> int:
        query = select(func.count()).select_from(ProcessedEventRow)
        if channel is not None:
            query = query.where(ProcessedEventRow.channel == channel)
        with self._sessions() as session:
            return session.execute(query).scalar_one()
