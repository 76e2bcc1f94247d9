"""Stored conversation events as plain data, for figures and reviews (no Rasa, no database).

The Rasa server keeps every conversation event in its `events` table
(`bot.tracker_store`); `bot.db.conversation_events.read_events` reads them into
`StoredEvent`s. `by_conversation` splits them per conversation in stored order
and drops the copies that compaction makes: a compacted session repeats the
last two user turns (same `message_id`, new timestamp), which must not be
counted twice. Small helpers read what reviews need from an event's data.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable

USER = "user"
BOT = "bot"
ACTION = "action"
SESSION_STARTED = "session_started"


@dataclass(frozen=True)
class StoredEvent:
    """One row of the `events` table: `data` is the event as Rasa stored it (`Event.as_dict()`)."""

    sender_id: str
    type_name: str
    timestamp: float  # seconds since the epoch
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return str(self.data.get("text") or "")

    @property
    def intent(self) -> str:
        return str(((self.data.get("parse_data") or {}).get("intent") or {}).get("name") or "")

    @property
    def confidence(self) -> float | None:
        value = ((self.data.get("parse_data") or {}).get("intent") or {}).get("confidence")
        return float(value) if isinstance(value, (int, float)) else None

    @property
    def entities(self) -> list[dict]:
        found = (self.data.get("parse_data") or {}).get("entities") or self.data.get("entities") or []
        return [e for e in found if isinstance(e, dict)]

    @property
    def action(self) -> str:
        return str(self.data.get("name") or "") if self.type_name == ACTION else ""

    @property
    def response(self) -> str:
        """The domain response a bot message was made from (`utter_...`), "" for free text."""
        return str((self.data.get("metadata") or {}).get("utter_action") or "") if self.type_name == BOT else ""


def by_conversation(events: Iterable[StoredEvent]) -> dict[str, list[StoredEvent]]:
    """Events per sender, in the order given, without compaction's copies: a user event whose
    `message_id` was seen before in the conversation is dropped with the events up to the next new
    user event."""
    grouped: dict[str, list[StoredEvent]] = defaultdict(list)
    seen: dict[str, set[str]] = defaultdict(set)
    copying: dict[str, bool] = defaultdict(bool)
    for event in events:
        sender = event.sender_id
        if event.type_name == USER:
            message_id = event.data.get("message_id")
            copying[sender] = bool(message_id) and message_id in seen[sender]
            if message_id:
                seen[sender].add(message_id)
        elif event.type_name == SESSION_STARTED:
            copying[sender] = False
        if not copying[sender]:
            grouped[sender].append(event)
    return dict(grouped)
