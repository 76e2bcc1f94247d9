"""Reading the Rasa server's `events` table (see `bot.tracker_store`) as `StoredEvent`s."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.core.conversation_events import StoredEvent
from bot.db.conversation_store import _json, events as _events


def read_events(engine: Engine, since: dt.datetime | None = None) -> list[StoredEvent]:
    """Every stored event of the conversations active at or after `since` (all when None), per
    conversation in stored order. Events of those conversations before `since` are included, so a
    reader sees what a message answered; an unreadable `data` is read as empty. No table: []."""
    if not sa.inspect(engine).has_table("events"):
        return []
    query = sa.select(_events.c.sender_id, _events.c.type_name, _events.c.timestamp, _events.c.data)
    if since is not None:
        active = sa.select(_events.c.sender_id).where(_events.c.timestamp >= since.timestamp()).distinct()
        query = query.where(_events.c.sender_id.in_(active))
    query = query.order_by(_events.c.sender_id, _events.c.id)
    out = []
    with engine.connect() as conn:
        for sender, type_name, timestamp, data in conn.execute(query):
            out.append(StoredEvent(sender, type_name or "", float(timestamp or 0.0), _json(data)))
    return out
