"""Migrations and models agree, and upgrading an existing database keeps its rows."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from bot.db.engine import make_engine, upgrade
from bot.db.models import Base
from bot.db.outbox_store import OutboxStore


def test_the_migrated_schema_is_exactly_the_models(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'schema.db'}")
    try:
        upgrade(engine)
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == [], f"models changed without a migration: {diff}"
    finally:
        engine.dispose()


def test_upgrading_from_0002_keeps_queued_notifications(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        upgrade(engine, "0002")
        with engine.begin() as conn:
            conn.execute(text(
                "insert into outbox (channel, recipient_id, text, dedupe_key, status, attempts, created_at,"
                " next_attempt_at) values ('telegram', '42', 'Hồ sơ đã có kết quả.', 'k', 'pending', 0,"
                " '2026-01-01 08:00:00', '2026-01-01 08:00:00')"))
        upgrade(engine)
        (message,) = OutboxStore(engine).all()
        assert (message.text, message.status, message.parts_sent) == ("Hồ sơ đã có kết quả.", "pending", 0)
    finally:
        engine.dispose()
