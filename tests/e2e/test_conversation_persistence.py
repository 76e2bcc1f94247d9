"""Conversations live in the database: a restarted Rasa server carries on where the citizen was.

Starts its own assistant (it stops and starts the Rasa server) on a fresh
TTHC_VAR_DIR: the conversation must be in that folder's SQLite database, or in
the PostgreSQL database of DATABASE_URL (skipped when PostgreSQL does not answer).
"""

from __future__ import annotations

import uuid

import pytest

from bot.app import build_engine
from bot.db.conversation_store import ConversationStore
from bot.settings import Settings
from tests.db.conftest import postgres_url  # noqa: F401 - a fixture
from tests.e2e.servers import MODEL, RunningAssistant, _spec, _start, _stop, _wait, start_assistant


def _text(replies: list[dict]) -> str:
    return "\n".join(r.get("text", "") for r in replies)


def restart_rasa(running: RunningAssistant) -> None:
    """Stop the Rasa server and start it again with the same settings (same TTHC_VAR_DIR)."""
    actions, rasa = running.procs
    _stop([rasa])
    spec = _spec(running.env, "Rasa server")
    log = running.env["TTHC_VAR_DIR"] + "/logs/rasa-restarted.log"
    running.procs[1] = _start(spec, running.env, log)
    _wait(spec.ready_url, running.procs[1])


@pytest.fixture(params=["sqlite", "postgresql"])
def own_assistant(request, tmp_path):
    if not MODEL.exists():
        pytest.fail("models/tthc.tar.gz is missing: run `make model` (make test does it)")
    env = {"DATABASE_URL": request.getfixturevalue("postgres_url")} if request.param == "postgresql" else {}
    running = start_assistant(tmp_path, extra_env=env)
    yield running
    running.stop()


def test_a_conversation_survives_a_restart_of_the_rasa_server(own_assistant):
    sender = f"rest:{uuid.uuid4().hex[:8]}"
    first = _text(own_assistant.say(sender, "lam giay khai sinh can giay to gi"))
    assert "1.001193" in first

    engine = build_engine(Settings.from_env(own_assistant.env))
    try:
        assert sender in ConversationStore(engine).senders(), "stored in the test's own database"
    finally:
        engine.dispose()

    restart_rasa(own_assistant)
    follow = _text(own_assistant.say(sender, "thế lệ phí thì sao"))
    assert "1.001193" in follow and "lệ phí" in follow.lower()
