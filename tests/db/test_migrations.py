"""Migrations and models agree, and upgrading an existing database keeps its rows.

Each test runs on SQLite and on PostgreSQL (see `database_url` in conftest).
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.orm import Session

from bot.core.clock import format_day
from bot.db.dossier_store import DossierStore
from bot.db.engine import downgrade, make_engine, upgrade
from bot.db.feedback_store import FeedbackStore
from bot.db.models import Base, CatalogMetaRow, DossierCheckFailureRow, DossierSubscriptionRow, RatingRow
from bot.db.outbox_store import OutboxStore
from bot.db.token_store import TokenStore
from tests.core.times import utc


def test_the_migrated_schema_is_exactly_the_models(database_url):
    engine = make_engine(database_url)
    try:
        upgrade(engine)
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == [], f"models changed without a migration: {diff}"
    finally:
        engine.dispose()


def test_upgrading_from_0002_keeps_queued_notifications(database_url):
    engine = make_engine(database_url)
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


CODE = "000.00.12.H12-250312-0042"
# What 0004 stored: Vietnam time in the dossier, feedback and rating tables, UTC in the others.
OLD_ROWS = [
    ("procedures", dict(code="1.001193", name="Đăng ký khai sinh", field="Hộ tịch", level="xa", agency="UBND xã",
                        where_to_submit="Một cửa", processing_time_text="Trong ngày", fee_text="Miễn",
                        online_available=True, legal_basis="[]", keywords="[]", other_codes="[]",
                        unverified="[]", source_url="https://dichvucong.gov.vn", verified_on="2025-01-01",
                        valid_from="2020-01-01")),
    ("dossiers", dict(id=1, code=CODE, procedure_code="1.001193", applicant_name="Nguyễn Văn A",
                      phone="0912345678", status="processing", received_at="2025-03-12 08:00:00",
                      due_at="2025-03-19 00:00:00", updated_at="2025-03-13 06:30:00", finished_at=None,
                      missed_due_at="2025-03-15 00:00:00", return_method="desk",
                      created_at="2025-03-12 08:05:00")),
    ("dossier_history", dict(dossier_id=1, old_status=None, new_status="processing",
                             changed_at="2025-03-12 08:05:00", source="cli", fields="mới")),
    ("dossier_subscriptions", dict(id=1, dossier_id=1, sender_id="telegram:42", channel="telegram",
                                   recipient_id="42", created_at="2025-03-12 09:00:00")),
    ("dossier_check_failures", dict(id=1, sender_id="web:x", failed_at="2025-03-12 06:59:00")),
    ("feedback_tickets", dict(ticket="PAKN-20250312-0001", sender_id="web:x", channel="web",
                              content="Chờ lâu quá.", status="answered", created_at="2025-03-12 00:30:00",
                              answer="Đã xử lý.", answered_at="2025-03-13 15:00:00")),
    ("ratings", dict(id=1, sender_id="web:x", channel="web", topic="1.001193", context="procedure_answer",
                     level=5, created_at="2025-03-12 10:00:00")),
    ("outbox", dict(id=1, channel="telegram", recipient_id="42", text="Hồ sơ đã có kết quả.", dedupe_key="k",
                    status="sent", attempts=1, parts_sent=1, created_at="2025-03-12 01:00:00",
                    next_attempt_at="2025-03-12 01:00:00", sent_at="2025-03-12 01:00:05")),
    ("channel_tokens", dict(channel="zalo", access_token="a", refresh_token="r",
                            expires_at="2025-03-13 01:00:00", updated_at="2025-03-12 01:00:00")),
    ("catalog_meta", dict(id=1, loaded_at="2025-03-12 00:00:00", fingerprint="f", procedure_count=1)),
]


def _insert_old_rows(engine) -> None:
    with engine.begin() as conn:
        for table, values in OLD_ROWS:
            columns = ", ".join(values)
            params = ", ".join(f":{c}" for c in values)
            conn.execute(text(f"insert into {table} ({columns}) values ({params})"), values)


def _stored(engine, table: str, column: str) -> dt.datetime:
    """A time column as 0004 stored it (naive), whatever the database's text format."""
    t = sa.table(table, sa.column(column, sa.DateTime))
    with engine.connect() as conn:
        return conn.execute(sa.select(t.c[column])).scalar_one()


def test_0005_moves_vietnam_times_to_utc_and_keeps_utc_times(database_url):
    engine = make_engine(database_url)
    try:
        upgrade(engine, "0004")
        _insert_old_rows(engine)
        upgrade(engine)

        dossier = DossierStore(engine).get(CODE)
        assert dossier.received_at == utc(2025, 3, 12, 1, 0)
        assert dossier.received_at.tzinfo is not None
        assert dossier.due_at == utc(2025, 3, 18, 17, 0)
        assert format_day(dossier.due_at) == "19/03/2025", "a date-only appointment stays on its Vietnam day"
        assert dossier.updated_at == utc(2025, 3, 12, 23, 30)
        assert (dossier.finished_at, dossier.missed_due_at) == (None, utc(2025, 3, 14, 17, 0))
        (entry,) = DossierStore(engine).history(CODE)
        assert entry.changed_at == utc(2025, 3, 12, 1, 5)
        ticket = FeedbackStore(engine).get("PAKN-20250312-0001")
        assert (ticket.created_at, ticket.answered_at) == (utc(2025, 3, 11, 17, 30), utc(2025, 3, 13, 8, 0))
        with Session(engine) as session:
            assert session.get(DossierSubscriptionRow, 1).created_at == utc(2025, 3, 12, 2, 0)
            assert session.get(DossierCheckFailureRow, 1).failed_at == utc(2025, 3, 11, 23, 59)
            assert session.get(RatingRow, 1).created_at == utc(2025, 3, 12, 3, 0)
            assert session.get(CatalogMetaRow, 1).loaded_at == utc(2025, 3, 12, 0, 0), "already UTC"
        message = OutboxStore(engine).get(1)
        assert (message.created_at, message.next_attempt_at, message.sent_at) == (
            utc(2025, 3, 12, 1, 0), utc(2025, 3, 12, 1, 0), utc(2025, 3, 12, 1, 0, 5)), "already UTC"
        assert TokenStore(engine).get("zalo").expires_at == utc(2025, 3, 13, 1, 0), "already UTC"

        downgrade(engine, "0004")
        assert _stored(engine, "dossiers", "due_at") == dt.datetime(2025, 3, 19, 0, 0)
        assert _stored(engine, "feedback_tickets", "answered_at") == dt.datetime(2025, 3, 13, 15, 0)
        assert _stored(engine, "outbox", "sent_at") == dt.datetime(2025, 3, 12, 1, 0, 5)
        assert _stored(engine, "channel_tokens", "expires_at") == dt.datetime(2025, 3, 13, 1, 0)
    finally:
        engine.dispose()
