"""Feedback tickets and satisfaction ratings in SQL.

Ticket numbers are taken one writer at a time (`serialize`; SQLite's write
transactions already are), the ticket being answered is locked, and a rating
is one row per conversation however many taps arrive at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Callable, Sequence

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.core import audit
from bot.core.conversations import push_target
from bot.core.clock import now_utc
from bot.core.feedback import (
    ANSWERED,
    RECEIVED,
    FeedbackError,
    Ticket,
    answer_text,
    clean_answer,
    format_ticket,
    normalize_ticket,
    ticket_day,
    ticket_prefix,
)
from bot.core.ratings import RatingEntry
from bot.core.usage_report import RatingRecord, TicketTimes
from bot.db.audit_store import record as record_audit
from bot.db.engine import serialize, session_factory
from bot.db.models import FeedbackRow, ProcedureRow, RatingRow
from bot.db.outbox_store import new_row

_NUMBERING_ATTEMPTS = 5


def _to_ticket(row: FeedbackRow) -> Ticket:
    return Ticket(
        ticket=row.ticket, sender_id=row.sender_id, channel=row.channel, content=row.content,
        about=row.about, dossier_code=row.dossier_code, contact=row.contact, status=row.status,
        created_at=row.created_at, answer=row.answer, answered_at=row.answered_at,
    )


class FeedbackStore:
    """Tickets: create with the next number of the day, read, answer (queued to the citizen).

    `clock` (aware) gives `now` when a method is not passed one; tickets are
    numbered by the Vietnam day.
    """

    def __init__(self, engine: Engine, clock: Callable[[], dt.datetime] = now_utc):
        self._sessions = session_factory(engine)
        self._clock = clock

    def create(self, *, sender_id: str, channel: str, content: str, about: str | None = None,
               dossier_code: str | None = None, contact: str | None = None,
               now: dt.datetime | None = None) -> Ticket:
        now = now or self._clock()
        day = ticket_day(now)
        prefix = ticket_prefix(day)
        for attempt in range(_NUMBERING_ATTEMPTS):
            try:
                with self._sessions.begin() as session:
                    serialize(session, "feedback-numbering")
                    last = session.scalar(
                        select(func.max(FeedbackRow.ticket)).where(FeedbackRow.ticket.like(prefix + "%")))
                    sequence = int(last[len(prefix):]) + 1 if last else 1
                    row = FeedbackRow(
                        ticket=format_ticket(day, sequence), sender_id=sender_id[:200],
                        channel=channel[:40], content=content, about=about, dossier_code=dossier_code,
                        contact=contact, status=RECEIVED, created_at=now,
                    )
                    session.add(row)
                    session.flush()
                    return _to_ticket(row)
            except IntegrityError:  # two tickets took the same number at once: number again
                if attempt == _NUMBERING_ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def get(self, ticket: str) -> Ticket | None:
        canonical = normalize_ticket(ticket)
        if canonical is None:
            return None
        with self._sessions() as session:
            row = session.scalar(select(FeedbackRow).where(FeedbackRow.ticket == canonical))
            return _to_ticket(row) if row else None

    def list(self, status: str | None = None, limit: int | None = None, offset: int = 0) -> list[Ticket]:
        """Newest first; `offset` skips that many (pages of an inbox)."""
        with self._sessions() as session:
            query = select(FeedbackRow).order_by(FeedbackRow.id.desc())
            if status:
                query = query.where(FeedbackRow.status == status)
            if limit:
                query = query.limit(limit)
            if offset:
                query = query.offset(offset)
            return [_to_ticket(r) for r in session.scalars(query)]

    def count(self, status: str | None = None) -> int:
        with self._sessions() as session:
            query = select(func.count()).select_from(FeedbackRow)
            if status:
                query = query.where(FeedbackRow.status == status)
            return session.scalar(query) or 0

    def times_between(self, start: dt.datetime, end: dt.datetime) -> list[TicketTimes]:
        """When each ticket opened from `start` (included) to `end` was opened and answered."""
        with self._sessions() as session:
            rows = session.execute(select(FeedbackRow.created_at, FeedbackRow.answered_at).where(
                FeedbackRow.created_at >= start, FeedbackRow.created_at < end).order_by(FeedbackRow.id))
            return [TicketTimes(created, answered) for created, answered in rows]

    def reveal_contact(self, ticket: str, *, actor: str, reason: str, now: dt.datetime | None = None) -> str | None:
        """The citizen's whole contact, for a staff member who gave a reason.

        The audit entry (who, when, which ticket, why) is committed first: the
        contact is returned only after it is stored, never without it.
        Raises FeedbackError for an unknown ticket; None when no contact was left.
        """
        now = now or self._clock()
        canonical = normalize_ticket(ticket)
        with self._sessions.begin() as session:
            row = session.scalar(select(FeedbackRow).where(FeedbackRow.ticket == canonical)) if canonical else None
            if row is None:
                raise FeedbackError(f"Không có phiếu {ticket[:40]}.")
            if not row.contact:
                return None
            record_audit(session, actor, [audit.Change("contact_reveal", row.ticket, "liên hệ", None, None, reason)],
                         now)
            contact = row.contact
        return contact  # the transaction with the audit entry has committed

    def answer(self, ticket: str, text: str, now: dt.datetime | None = None,
               actor: str | None = None) -> tuple[Ticket, bool]:
        """Store the staff answer; queue it to the citizen's channel when it can push.

        Returns the ticket and whether a message was queued. With `actor` the answer
        is also an audit entry, in the same transaction.
        """
        now = now or self._clock()
        answer = clean_answer(text)
        canonical = normalize_ticket(ticket)
        with self._sessions.begin() as session:
            row = session.scalar(select(FeedbackRow).where(FeedbackRow.ticket == canonical).with_for_update()
                                 ) if canonical else None
            if row is None:
                raise FeedbackError(f"Không có phiếu {ticket}.")
            if actor:
                record_audit(session, actor, [audit.Change("feedback_answer", row.ticket, "trả lời", row.answer,
                                                           answer)], now)
            row.answer = answer
            row.answered_at = now
            row.status = ANSWERED
            target = push_target(row.sender_id)
            if target:
                digest = hashlib.sha256(answer.encode("utf-8")).hexdigest()[:16]
                session.add(new_row(target[0], target[1], answer_text(row.ticket, answer),
                                    f"feedback-{row.id}-{digest}", self._clock()))
            session.flush()
            return _to_ticket(row), target is not None


class RatingStore:
    """Satisfaction ratings: one per conversation (a new tap replaces the old one)."""

    def __init__(self, engine: Engine, clock: Callable[[], dt.datetime] = now_utc):
        self._sessions = session_factory(engine)
        self._clock = clock

    def record(self, *, sender_id: str, channel: str, topic: str, context: str, level: int,
               now: dt.datetime | None = None) -> None:
        if not 1 <= int(level) <= 5:
            raise ValueError("level must be 1..5")
        now = now or self._clock()
        for attempt in range(2):
            try:
                with self._sessions.begin() as session:
                    row = session.scalar(select(RatingRow).where(RatingRow.sender_id == sender_id).with_for_update())
                    if row is None:
                        row = RatingRow(sender_id=sender_id[:200], created_at=now)
                        session.add(row)
                    row.channel, row.topic, row.context, row.level = channel[:40], topic[:40], context[:20], int(level)
                return
            except IntegrityError:  # PostgreSQL: the same conversation's first rating arrived twice at once
                if attempt:
                    raise

    def get_level(self, sender_id: str) -> int | None:
        with self._sessions() as session:
            return session.scalar(select(RatingRow.level).where(RatingRow.sender_id == sender_id))

    def all(self) -> list[RatingEntry]:
        with self._sessions() as session:
            rows = session.execute(select(RatingRow.level, RatingRow.channel, RatingRow.topic).order_by(RatingRow.id))
            return [RatingEntry(level, channel, topic) for level, channel, topic in rows]

    def records_between(self, start: dt.datetime, end: dt.datetime) -> list[RatingRecord]:
        """Ratings first given from `start` (included) to `end`, with their current level."""
        with self._sessions() as session:
            rows = session.execute(select(RatingRow.level, RatingRow.channel, RatingRow.created_at).where(
                RatingRow.created_at >= start, RatingRow.created_at < end).order_by(RatingRow.id))
            return [RatingRecord(level, channel, created) for level, channel, created in rows]

    def topic_names(self, topics: Sequence[str]) -> dict[str, str]:
        with self._sessions() as session:
            rows = session.execute(select(ProcedureRow.code, ProcedureRow.name).where(ProcedureRow.code.in_(set(topics))))
            return {code: name for code, name in rows}
