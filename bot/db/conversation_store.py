"""Conversations as the Rasa server stores them: retention and forgetting.

The Rasa server writes every conversation event to its own `events` table
(`bot.tracker_store`); Rasa creates that table, our migrations do not know it
(`bot.db.engine.FOREIGN_TABLES`, skipped by Alembic). This store only deletes from it:

- `purge(days)`: events older than `days` days go. A conversation still in use
  keeps its current session whole (a session lasts at most the idle time, see
  `SESSION_EXPIRATION_MINUTES`), so a citizen talking right now is not cut off
  mid-question; its older sessions go like any other.
- `forget(sender_id)`: every event of one conversation (the kiosk's "Bắt đầu lại").

It also reads them back for reports (`events_between`, see `bot.core.usage_report`).

Rasa stores each event's time as seconds since the epoch (a float).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Callable

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.core.clock import now_utc
from bot.core.conversation_events import StoredEvent

events = sa.table(
    "events",
    sa.column("id", sa.Integer),
    sa.column("sender_id", sa.String),
    sa.column("type_name", sa.String),
    sa.column("timestamp", sa.Float),
    sa.column("data", sa.Text),
)
SESSION_STARTED = "session_started"
REPORTED_TYPES = ("user", "bot", "action", "slot", SESSION_STARTED)


def _json(data: str | None) -> dict:
    try:
        value = json.loads(data or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


@dataclass(frozen=True)
class PurgeResult:
    cutoff: dt.datetime
    conversations: int  # conversations removed entirely
    events: int  # events removed, theirs and older sessions of conversations still in use


class ConversationStore:
    def __init__(self, engine: Engine, clock: Callable[[], dt.datetime] = now_utc):
        self.engine = engine
        self.clock = clock

    def _has_table(self) -> bool:
        return sa.inspect(self.engine).has_table("events")

    def count(self) -> int:
        """Conversations stored (distinct sender ids)."""
        if not self._has_table():
            return 0
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count(sa.distinct(events.c.sender_id)))).scalar_one()

    def senders(self) -> list[str]:
        if not self._has_table():
            return []
        with self.engine.connect() as conn:
            return sorted(conn.execute(sa.select(events.c.sender_id).distinct()).scalars())

    def events_between(self, start: dt.datetime, end: dt.datetime) -> list[StoredEvent]:
        """The events a report reads, stamped from `start` (included) to `end`, in stored order per conversation."""
        if not self._has_table():
            return []
        query = (sa.select(events.c.sender_id, events.c.type_name, events.c.timestamp, events.c.data)
                 .where(events.c.timestamp >= start.timestamp(), events.c.timestamp < end.timestamp(),
                        events.c.type_name.in_(REPORTED_TYPES))
                 .order_by(events.c.sender_id, events.c.id))
        with self.engine.connect() as conn:
            return [StoredEvent(sender, kind, at, _json(data)) for sender, kind, at, data in conn.execute(query)]

    def purge(self, days: int) -> PurgeResult:
        """Delete what is older than `days` days (see the module docstring)."""
        if days < 1:
            raise ValueError("days must be at least 1")
        cutoff = self.clock() - dt.timedelta(days=days)
        if not self._has_table():
            return PurgeResult(cutoff, 0, 0)
        limit = cutoff.timestamp()
        old = events.c.timestamp < limit
        with self.engine.begin() as conn:
            touched = set(conn.execute(sa.select(events.c.sender_id).where(old).distinct()).scalars())
            if not touched:
                return PurgeResult(cutoff, 0, 0)
            in_use = sa.select(events.c.sender_id).where(events.c.timestamp >= limit).distinct().correlate(None)
            still_used = set(conn.execute(in_use).scalars())
            # Conversations in use keep their latest session from its start.
            keep_from = dict(conn.execute(
                sa.select(events.c.sender_id, sa.func.max(events.c.timestamp))
                .where(events.c.type_name == SESSION_STARTED, events.c.sender_id.in_(in_use))
                .group_by(events.c.sender_id)
            ).all())
            kept = sa.select(events.c.sender_id).where(
                events.c.type_name == SESSION_STARTED, events.c.sender_id.in_(in_use)).distinct().correlate(None)
            deleted = conn.execute(sa.delete(events).where(old, events.c.sender_id.notin_(kept))).rowcount
            for sender, start in keep_from.items():
                deleted += conn.execute(sa.delete(events).where(
                    events.c.sender_id == sender, events.c.timestamp < min(start, limit))).rowcount
        return PurgeResult(cutoff, len(touched - still_used), deleted)

    def forget(self, sender_id: str) -> int:
        """Delete one conversation entirely; the number of events deleted."""
        if not self._has_table():
            return 0
        with self.engine.begin() as conn:
            return conn.execute(sa.delete(events).where(events.c.sender_id == sender_id)).rowcount
