"""Conversations in the database: Rasa's tracker store on our database, compaction, retention.

Each database test runs on SQLite and on PostgreSQL (see `database_url` in conftest).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.db.conversation_store import ConversationStore
from bot.db.engine import is_ours, make_engine, upgrade
from bot.db.models import Base
from bot.settings import PROJECT_ROOT, Settings
from bot.tracker_store import TrackerStore

NOW = dt.datetime(2026, 11, 29, 3, 0, tzinfo=dt.timezone.utc)
DAY = 86400.0


@lru_cache(maxsize=1)
def _domain_dict() -> dict:
    return Domain.load(PROJECT_ROOT / "domain.yml").as_dict()


def domain() -> Domain:
    """The assistant's domain, a fresh object each time (the store may change its session config)."""
    return Domain.from_dict(_domain_dict())


def turn(text: str, intent: str, action: str, reply: str, slots: dict | None = None, at: float | None = None) -> list:
    events = [UserUttered(text, {"name": intent, "confidence": 1.0}, timestamp=at),
              ActionExecuted(action, timestamp=at)]
    events += [SlotSet(k, v, timestamp=at) for k, v in (slots or {}).items()]
    return events + [BotUttered(reply, timestamp=at), ActionExecuted("action_listen", timestamp=at)]


def session_start(at: float | None = None) -> list:
    return [ActionExecuted("action_session_start", timestamp=at), SessionStarted(timestamp=at),
            ActionExecuted("action_listen", timestamp=at)]


def new_tracker(sender: str, store: TrackerStore, events: list) -> DialogueStateTracker:
    return DialogueStateTracker.from_events(sender, events, store.domain.slots)


def store_for(database_url: str, **env) -> TrackerStore:
    return TrackerStore(domain(), settings=Settings.from_env({"DATABASE_URL": database_url, **env}))


async def test_conversations_survive_a_new_store_in_our_migrated_database(database_url):
    engine = make_engine(database_url)
    try:
        upgrade(engine)
        first = store_for(database_url)
        events = session_start() + turn("làm khai sinh cần gì", "ask_documents", "action_answer_procedure",
                                        "Đăng ký khai sinh…", {"procedure_code": "1.001193"})
        await first.save(new_tracker("rest:a", first, events))
        first.engine.dispose()

        restarted = store_for(database_url)  # what a restarted Rasa server builds
        tracker = await restarted.retrieve("rest:a")
        assert tracker.get_slot("procedure_code") == "1.001193"
        assert tracker.latest_message.text == "làm khai sinh cần gì"
        assert ConversationStore(engine).senders() == ["rest:a"]
        restarted.engine.dispose()

        # Rasa's table lives beside ours: migrations and the models comparison leave it alone.
        upgrade(engine)
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"include_name": is_ours}), Base.metadata)
        assert diff == []
    finally:
        engine.dispose()


async def test_a_long_session_is_compacted_with_the_same_state_and_recent_turns(database_url):
    store = store_for(database_url, SESSION_MAX_EVENTS="30")
    try:
        events = session_start()
        for i in range(10):
            events += turn(f"câu {i}", "ask_fee", "action_answer_procedure", f"trả lời {i}",
                           {"procedure_code": "1.001193", "pending_aspect": f"fee{i}"})
        events += turn("hmm", "nlu_fallback", "action_low_confidence", "chưa hiểu")
        await store.save(new_tracker("telegram:1", store, events))
        assert len(events) > 30

        tracker = await store.retrieve("telegram:1")
        assert len(tracker.events) < 30
        assert tracker.get_slot("procedure_code") == "1.001193" and tracker.get_slot("pending_aspect") == "fee9"
        assert [e.text for e in tracker.events if isinstance(e, UserUttered)] == ["câu 9", "hmm"], "last two turns"
        assert tracker.latest_action_name == "action_listen" and tracker.latest_message.text == "hmm"

        # The next turn is stored after the compacted session, and read back with it.
        before = len(tracker.events)
        tracker.update_with_events(turn("thế lệ phí thì sao", "ask_fee", "action_answer_procedure", "Lệ phí…"), None)
        await store.save(tracker)
        again = await store.retrieve("telegram:1")
        assert len(again.events) == before + 4
        assert again.latest_message.text == "thế lệ phí thì sao"
        assert again.get_slot("procedure_code") == "1.001193"
        full = await store.retrieve_full_tracker("telegram:1")
        assert len(full.events) == len(events) + before + 4, "the old session is kept until retention purges it"
    finally:
        store.engine.dispose()


async def test_a_session_inside_a_form_is_not_compacted(tmp_path):
    store = store_for(f"sqlite:///{tmp_path / 't.db'}", SESSION_MAX_EVENTS="10")
    try:
        from rasa.shared.core.events import ActiveLoop

        events = session_start() + [ActiveLoop("feedback_form")]
        for i in range(5):
            events += turn(f"ý kiến {i}", "inform", "feedback_form", "tiếp?")
        await store.save(new_tracker("web:x", store, events))
        # All of the session (Rasa reads from SessionStarted on, so without the action that started it).
        assert len((await store.retrieve("web:x")).events) == len(events) - 1
    finally:
        store.engine.dispose()


def test_the_idle_time_of_a_session_comes_from_the_settings(tmp_path):
    store = store_for(f"sqlite:///{tmp_path / 't.db'}", SESSION_EXPIRATION_MINUTES="15")
    try:
        assert store.domain.session_config.session_expiration_time == 15
        assert store.domain.session_config.carry_over_slots is True
        given = domain()
        store.domain = given  # what the Rasa server does once the model is loaded
        assert given.session_config.session_expiration_time == 15
    finally:
        store.engine.dispose()
    unset = store_for(f"sqlite:///{tmp_path / 'u.db'}")
    try:
        assert unset.domain.session_config.session_expiration_time == 60, "domain.yml's value"
    finally:
        unset.engine.dispose()


# --- retention ---------------------------------------------------------------


async def _stored(database_url: str, conversations: dict[str, list]) -> None:
    store = store_for(database_url)
    try:
        for sender, events in conversations.items():
            await store.save(new_tracker(sender, store, events))
    finally:
        store.engine.dispose()


def _at(days_ago: float) -> float:
    return NOW.timestamp() - days_ago * DAY


async def test_purge_deletes_old_conversations_and_old_sessions_only(database_url):
    old = session_start(_at(40)) + turn("số điện thoại 0912345678", "inform", "action_x", "ok", at=_at(40))
    # In use today, with a session from 35 days ago and one that started 31 days ago and goes on today.
    long_lived = (session_start(_at(35)) + turn("cũ", "greet", "utter_greet", "chào", at=_at(35))
                  + session_start(_at(31)) + turn("vẫn đang hỏi", "ask_fee", "action_y", "…", at=_at(31))
                  + turn("hôm nay", "ask_fee", "action_y", "…", at=_at(0.1)))
    recent = session_start(_at(2)) + turn("mới", "greet", "utter_greet", "chào", at=_at(2))
    await _stored(database_url, {"rest:old": old, "telegram:long": long_lived, "rest:recent": recent})
    engine = make_engine(database_url)
    try:
        conversations = ConversationStore(engine, clock=lambda: NOW)
        result = conversations.purge(30)
        assert result.cutoff == NOW - dt.timedelta(days=30)
        assert (result.conversations, result.events) == (1, len(old) + 7)
        assert conversations.senders() == ["rest:recent", "telegram:long"]
        store = store_for(database_url)
        tracker = await store.retrieve_full_tracker("telegram:long")
        assert [e.text for e in tracker.events if isinstance(e, UserUttered)] == ["vẫn đang hỏi", "hôm nay"]
        store.engine.dispose()
        assert conversations.purge(30) == type(result)(result.cutoff, 0, 0), "nothing more to purge"
        with pytest.raises(ValueError):
            conversations.purge(0)
    finally:
        engine.dispose()


def test_purge_and_forget_before_rasa_made_its_table(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    try:
        conversations = ConversationStore(engine, clock=lambda: NOW)
        assert conversations.purge(30).events == 0
        assert conversations.forget("kiosk:a.b") == 0 and conversations.count() == 0
    finally:
        engine.dispose()


async def test_forget_deletes_one_conversation(tmp_path):
    url = f"sqlite:///{tmp_path / 't.db'}"
    await _stored(url, {"kiosk:q.a": session_start() + turn("a", "greet", "utter_greet", "chào"),
                        "kiosk:q.b": session_start() + turn("b", "greet", "utter_greet", "chào")})
    engine = make_engine(url)
    try:
        assert ConversationStore(engine).forget("kiosk:q.a") == 7
        assert ConversationStore(engine).senders() == ["kiosk:q.b"]
    finally:
        engine.dispose()


def test_the_store_waits_for_other_sqlite_writers(tmp_path):
    store = store_for(f"sqlite:///{tmp_path / 't.db'}")
    try:
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    finally:
        store.engine.dispose()


def test_conversation_settings_are_read_and_checked():
    settings = Settings.from_env({"CONVERSATION_RETENTION_DAYS": "90", "SESSION_EXPIRATION_MINUTES": "7.5",
                                  "SESSION_MAX_EVENTS": "0"})
    assert (settings.conversation_retention_days, settings.session_expiration_minutes,
            settings.session_max_events) == (90, 7.5, 0)
    defaults = Settings.from_env({})
    assert (defaults.conversation_retention_days, defaults.session_expiration_minutes,
            defaults.session_max_events) == (30, None, 100)
    for bad in ("-1", "một giờ"):
        with pytest.raises(ValueError, match="SESSION_EXPIRATION_MINUTES"):
            Settings.from_env({"SESSION_EXPIRATION_MINUTES": bad})


async def test_conversations_saved_at_once_from_worker_threads_keep_every_event(database_url):
    import asyncio

    engine = make_engine(database_url)
    try:
        upgrade(engine)
        store = store_for(database_url)
        senders = [f"rest:c{i}" for i in range(12)]

        async def two_turns(sender: str) -> None:
            tracker = new_tracker(sender, store, session_start() + turn("xin chào", "greet", "utter_greet", "Xin chào"))
            await store.save(tracker)
            tracker = await store.retrieve(sender)
            for event in turn("nộp ở đâu", "ask_location", "action_answer_procedure", "Bạn nộp tại…",
                              {"pending_aspect": "location"}):
                tracker.update(event)
            await store.save(tracker)

        await two_turns("rest:alone")
        alone = [e.type_name for e in (await store.retrieve("rest:alone")).events]
        await asyncio.gather(*(two_turns(s) for s in senders))
        for sender in senders:
            tracker = await store.retrieve(sender)
            assert [e.type_name for e in tracker.events] == alone
            assert [e.text for e in tracker.events if isinstance(e, UserUttered)] == ["xin chào", "nộp ở đâu"]
            assert tracker.get_slot("pending_aspect") == "location"
        store.engine.dispose()
    finally:
        engine.dispose()
