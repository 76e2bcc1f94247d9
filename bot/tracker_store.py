"""Where the Rasa server keeps conversations: Rasa's SQL tracker store on the assistant's database.

`endpoints.yml` names `bot.tracker_store.TrackerStore`; the Rasa server builds it
with the domain, and it reads `DATABASE_URL` / `TTHC_VAR_DIR` through
`get_settings()`, so conversations land in the same SQLite file or PostgreSQL
database as dossiers and feedback, in Rasa's own `events` table (created by Rasa,
not by our migrations; `bot.db.engine.is_ours` keeps Alembic away from it).

Bounded conversations, so memory does not grow and a turn costs the same on the
first message and the three-hundredth:

- Rasa keeps nothing in memory between messages: each turn reads the latest
  session from the database and writes the new events back, in a worker thread
  so that the Rasa server's event loop goes on with other conversations while
  the database works (a commit waits for the disk); SQLite connections are kept
  open between turns.
- A session ends after `SESSION_EXPIRATION_MINUTES` without a message (domain.yml's
  `session_expiration_time` when unset); the slots carry over to the next one
  (`carry_over_slots_to_new_session: true`), so "thế lệ phí thì sao" after a
  pause still knows the procedure. Only the latest session is read per turn.
- A session that grows past `SESSION_MAX_EVENTS` events is compacted when the
  next message comes: a new session starts in the database with the current slot
  values and the last two turns copied, and the older events are no longer read
  (retention purges them). Our rules look one turn back and keep their context in
  slots, so answers do not change. A conversation inside a form is left alone
  until the form ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import json
import logging
import threading
import time
from typing import Any, Iterable, Optional

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.domain import Domain, SessionConfig
from rasa.shared.core.events import ActionExecuted, Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
import sqlalchemy as sa
from sqlalchemy import event as sa_event
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import QueuePool

from bot.settings import Settings, get_settings

logger = logging.getLogger(__name__)

KEEP_TURNS = 2  # user turns copied into a compacted session (the fallback looks one turn back)


def compacted_session(tracker: DialogueStateTracker, keep_turns: int = KEEP_TURNS,
                      now: float | None = None) -> list[Event]:
    """The events of a new session with the same state as `tracker`: a session start,
    one SlotSet per slot that is set, and the last `keep_turns` user turns, stamped `now`."""
    now = time.time() if now is None else now
    events: list[Event] = [ActionExecuted(ACTION_SESSION_START_NAME, timestamp=now), SessionStarted(timestamp=now)]
    for name, slot in tracker.slots.items():
        if slot.value != slot.initial_value:
            events.append(SlotSet(name, copy.deepcopy(slot.value), timestamp=now))
    events.append(ActionExecuted(ACTION_LISTEN_NAME, timestamp=now))
    history = list(tracker.events)
    users = [i for i, event in enumerate(history) if isinstance(event, UserUttered)]
    for event in history[users[-keep_turns]:] if len(users) >= keep_turns > 0 else []:
        event = copy.deepcopy(event)
        event.timestamp = now
        events.append(event)
    return events


class _Statements:
    """Rasa's two per-turn queries as plain SQL, prepared once: the rows of the latest session
    (after its last `session_started` event, or all rows when there is none), and their count.
    SQLAlchemy's ORM rebuilt and re-keyed Rasa's query on every turn."""

    def __init__(self, table: str) -> None:
        latest = (f"FROM {table} e, (SELECT MAX(timestamp) AS start FROM {table} "
                  f"WHERE sender_id = :sender AND type_name = '{SessionStarted.type_name}') s "
                  "WHERE e.sender_id = :sender AND (s.start IS NULL OR e.timestamp >= s.start)")
        self.latest_session = sa.text(f"SELECT e.data {latest} ORDER BY e.id")
        self.session_length = sa.text(f"SELECT COUNT(*) {latest}")


def _wait_for_sqlite_writers(engine) -> None:
    """Wait up to 30 s for the action server's and `bot web`'s writes (as our engine does),
    instead of failing a turn with "database is locked" after SQLite's default 5 s."""

    @sa_event.listens_for(engine, "connect")
    def _busy_timeout(dbapi_conn, _record):  # pragma: no cover - trivial
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()


class TrackerStore(SQLTrackerStore):
    """Rasa's SQL tracker store on `Settings.database_url`, with sessions kept short."""

    def __init__(self, domain: Optional[Domain] = None, event_broker: Any = None,
                 settings: Settings | None = None, **_ignored: Any) -> None:
        settings = settings or get_settings()
        self.max_session_events = settings.session_max_events
        self.session_expiration_minutes = settings.session_expiration_minutes
        # A URL in `host` is used as it is (SQLite file or PostgreSQL, with its query options).
        super().__init__(domain=domain, host=settings.database_url, event_broker=event_broker)
        # SQLite: one write at a time from this process. SQLite takes one writer anyway, and
        # a thread waiting here wakes when the lock frees, not after SQLite's busy sleep.
        self._writing = threading.Lock() if self.engine.dialect.name == "sqlite" else contextlib.nullcontext()
        if self.engine.dialect.name == "sqlite" and self.engine.url.database not in (None, "", ":memory:"):
            self._keep_sqlite_connections_open()
        self._statements = _Statements(self.SQLEvent.__tablename__)
        self._apply_session_config()

    def _keep_sqlite_connections_open(self) -> None:
        """Reuse SQLite connections instead of opening the file on every read and write.

        SQLAlchemy 1.4 gives a SQLite file no pool: each retrieve and save opened
        the file and closed it again, and closing the last connection to a WAL
        database checkpoints it, all on the Rasa server's event loop.
        """
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(url, poolclass=QueuePool, pool_size=2, max_overflow=8,
                                       connect_args={"check_same_thread": False})
        _wait_for_sqlite_writers(self.engine)
        self.sessionmaker = sessionmaker(bind=self.engine)

    # The Rasa server hands the store its domain (the processor's own object), so the
    # idle time set here is the one the processor checks.
    @property
    def domain(self) -> Domain:
        return self._domain

    @domain.setter
    def domain(self, domain: Optional[Domain]) -> None:
        self._domain = domain or Domain.empty()
        self._apply_session_config()

    def _apply_session_config(self) -> None:
        minutes = getattr(self, "session_expiration_minutes", None)
        if minutes is not None and self._domain.session_config.session_expiration_time != minutes:
            self._domain.session_config = SessionConfig(minutes, self._domain.session_config.carry_over_slots)

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        """The latest session; compacted first when it has grown past `max_session_events`.

        The database work runs in a worker thread, as in `save`.
        """
        return await asyncio.to_thread(self._retrieve_latest_session, sender_id)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Append the tracker's events that are not stored yet, as Rasa's `save` does.

        The reads and the commit run in a worker thread: on the event loop, every
        conversation's turn waited for each other conversation's disk writes (a
        commit syncs the file, several ms). The Rasa server handles one message of
        a conversation at a time (its lock store), so a conversation's own reads
        and writes keep their order.
        """
        await self.stream_events(tracker)
        await asyncio.to_thread(self._save_new_events, tracker)

    def _retrieve_latest_session(self, sender_id: str) -> Optional[DialogueStateTracker]:
        tracker = self._load_latest_session(sender_id)
        if tracker is None or not self._should_compact(tracker):
            return tracker
        events = compacted_session(tracker)
        with self._writing, self.engine.begin() as connection:
            self._add(connection, sender_id, events)
        logger.debug("conversation session compacted from %d to %d events", len(tracker.events), len(events))
        return DialogueStateTracker.from_events(sender_id, events, self.domain.slots)

    def _load_latest_session(self, sender_id: str) -> Optional[DialogueStateTracker]:
        """Rasa's `retrieve` (the events since the latest session start, in order) in one
        prepared statement instead of an ORM query built anew each turn."""
        with self.engine.connect() as connection:
            rows = connection.execute(self._statements.latest_session, {"sender": sender_id}).scalars().all()
        if not rows or not self.domain:
            return None
        return DialogueStateTracker.from_dict(sender_id, [json.loads(data) for data in rows], self.domain.slots)

    def _save_new_events(self, tracker: DialogueStateTracker) -> None:
        """Rasa's `save`: the tracker's events past those stored since the latest session start."""
        with self._writing, self.engine.begin() as connection:
            stored = connection.execute(self._statements.session_length, {"sender": tracker.sender_id}).scalar_one()
            self._add(connection, tracker.sender_id, itertools.islice(tracker.events, stored, None))

    def _should_compact(self, tracker: DialogueStateTracker) -> bool:
        return (
            0 < self.max_session_events < len(tracker.events)
            and tracker.latest_action_name == ACTION_LISTEN_NAME
            and not tracker.active_loop_name
        )

    def _add(self, connection, sender_id: str, events: Iterable[Event]) -> None:
        """Insert events as rows of Rasa's `events` table, as Rasa's `save` writes them."""
        rows = []
        for event in events:
            data = event.as_dict()
            rows.append({
                "sender_id": sender_id,
                "type_name": event.type_name,
                "timestamp": data.get("timestamp"),
                "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                "action_name": data.get("name"),
                "data": json.dumps(data),
            })
        if rows:
            connection.execute(self.SQLEvent.__table__.insert(), rows)
