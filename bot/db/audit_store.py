"""The audit log in SQL: entries are added inside the transaction of the change they describe."""

from __future__ import annotations

import datetime as dt
from typing import Iterable

from sqlalchemy import distinct, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.core.audit import AuditEntry, AuditFilter, Change, bounded
from bot.core.clock import VN_TZ
from bot.db.engine import session_factory
from bot.db.models import AuditLogRow

MAX_ENTRIES = 5000  # one page or one export at most


def record(session: Session, actor: str, changes: Iterable[Change], at: dt.datetime) -> None:
    """Add entries for `changes` to the caller's (write) transaction: they are stored with the change or not at all."""
    for c in changes:
        session.add(AuditLogRow(at=at, actor=actor[:100], action=c.action, object=c.object[:200],
                                field=c.field[:100] if c.field else None, old_value=bounded(c.old),
                                new_value=bounded(c.new), reason=bounded(c.reason)))


def _entry(row: AuditLogRow) -> AuditEntry:
    return AuditEntry(row.id, row.at, row.actor, row.action, row.object, row.field, row.old_value, row.new_value,
                      row.reason)


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), VN_TZ)


class AuditStore:
    def __init__(self, engine: Engine):
        self._sessions = session_factory(engine)

    def entries(self, where: AuditFilter = AuditFilter(), limit: int = 200) -> list[AuditEntry]:
        """Newest first, at most `limit` (capped at MAX_ENTRIES)."""
        query = select(AuditLogRow)
        if where.actor:
            query = query.where(AuditLogRow.actor == where.actor)
        if where.since:
            query = query.where(AuditLogRow.at >= _day_start(where.since))
        if where.until:
            query = query.where(AuditLogRow.at < _day_start(where.until + dt.timedelta(days=1)))
        query = query.order_by(AuditLogRow.at.desc(), AuditLogRow.id.desc()).limit(max(1, min(limit, MAX_ENTRIES)))
        with self._sessions() as session:
            return [_entry(r) for r in session.scalars(query).all()]

    def add(self, actor: str, changes: Iterable[Change], at: dt.datetime) -> None:
        """Entries for a change made outside the database (a file written), in their own transaction."""
        with self._sessions.begin() as session:
            record(session, actor, changes, at)

    def actors(self) -> list[str]:
        with self._sessions() as session:
            return list(session.scalars(select(distinct(AuditLogRow.actor)).order_by(AuditLogRow.actor)).all())
