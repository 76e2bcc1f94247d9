"""Dossiers in SQL: staff changes with history and notifications; one store with the reads
(`bot.db.dossier_reads`) and the citizens' checks (`bot.db.dossier_checks`).

Every write happens in one transaction: a batch (CSV file, pushed JSON) is
written whole or not at all, each change adds a history row naming its source,
and a status change queues a message for every subscribed conversation in the
same transaction, so the queue never misses or invents a change.

Concurrent writers: the dossiers a write is about are read locked
(`with_for_update` on PostgreSQL; SQLite's write transactions take the whole
database, see `bot.db.engine`), so no update is lost; citizens' checks run
one at a time (`bot.db.dossier_checks`).
"""

from __future__ import annotations

import datetime as dt
from typing import Callable, Iterable, Sequence

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.core import audit
from bot.core.clock import now_utc, to_local
from bot.core.dossiers.access import DEFAULT_LIMITS, CheckLimits
from bot.core.dossiers.codes import normalize_code
from bot.core.dossiers.planning import CREATE, Change, Incoming, Plan, audit_changes, changed_fields, plan_changes
from bot.core.dossiers.status import Dossier, is_late
from bot.core.dossiers.validation import FieldError
from bot.core.dossiers.wording import apology_text, notification_text
from bot.core.office import DEFAULT_PLACE, Place
from bot.db.audit_store import record as record_audit
from bot.db.dossier_checks import CitizenChecks
from bot.db.dossier_reads import CHUNK, DossierReads, procedure_names, to_dossier
from bot.db.engine import serialize, session_factory
from bot.db.models import DossierApologyRow, DossierHistoryRow, DossierRow, DossierSubscriptionRow
from bot.db.outbox_store import new_row


def _fill(row: DossierRow, d: Dossier) -> None:
    row.code = d.code
    row.procedure_code = d.procedure_code
    row.applicant_name = d.applicant_name
    row.phone = d.phone
    row.status = d.status.value
    row.received_at = d.received_at
    row.due_at = d.due_at
    row.updated_at = d.updated_at
    row.finished_at = d.finished_at
    row.missed_due_at = d.missed_due_at
    row.unit = d.unit
    row.note = d.note
    row.return_method = d.return_method.value


def _apology_problem(before: Dossier, after: Dossier, now: dt.datetime) -> str | None:
    """Why an apology cannot be sent with this new appointment, or None."""
    if not is_late(before, now):
        return "hồ sơ chưa trễ hạn nên chưa cần thư xin lỗi"
    if to_local(after.due_at).date() <= to_local(now).date():
        return "ngày hẹn trả mới phải sau hôm nay"
    return None


class DossierStore(DossierReads, CitizenChecks):
    """All dossier reads and writes. Methods are named for what they answer: the staff's writes are
    here, the reads in `DossierReads`, the citizens' checks in `CitizenChecks`.

    `clock` (aware) gives `now` when a method is not passed one.
    """

    def __init__(self, engine: Engine, place: Callable[[], Place] | None = None,
                 limits: CheckLimits = DEFAULT_LIMITS, clock: Callable[[], dt.datetime] = now_utc):
        self._sessions = session_factory(engine)
        self._place = place or (lambda: DEFAULT_PLACE)
        self.limits = limits
        self._clock = clock

    def apply(self, incoming: Sequence[Incoming], source: str, *, complete: bool = True,
              dry_run: bool = False, now: dt.datetime | None = None, actor: str | None = None,
              reason: str | None = None) -> Plan:
        """Plan the changes and, unless dry_run or any record is invalid, write them all.

        Returns the plan; when `plan.errors` is not empty nothing was written. With
        `actor` (a staff account's name) every change is also an audit entry, in the
        same transaction.
        """
        now = now or self._clock()
        for attempt in range(2):
            try:
                with self._sessions.begin() as session:
                    codes = [c for c in (normalize_code(str(i.fields.get("code") or "")) for i in incoming) if c]
                    rows = self._rows_by_code(session, codes)
                    plan = plan_changes({c: to_dossier(r) for c, r in rows.items()}, incoming, now, complete)
                    if plan.errors or dry_run:
                        return plan  # nothing was added: the empty transaction commits nothing
                    plan.notifications = self._write(session, plan.writes, rows, source, now)
                    if actor:
                        record_audit(session, actor, audit_changes(plan, reason), now)
                    return plan
            except IntegrityError:  # another writer created the same code meanwhile: plan again
                if attempt:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def set_status(self, code: str, status: str, *, note: str | None = None, due: str | None = None,
                   source: str = "cli", now: dt.datetime | None = None, actor: str | None = None) -> Plan:
        fields = {"code": code, "status": status}
        if note is not None:
            fields["note"] = note
        if due is not None:
            fields["due_at"] = due
        return self.apply([Incoming("lệnh set-status", fields)], source, complete=False, now=now, actor=actor)

    def send_apology(self, code: str, new_due: str, *, actor: str, sent_by: str, reason: str | None = None,
                     now: dt.datetime | None = None) -> Plan:
        """An apology for a late dossier with a new appointment, in one transaction: the new due date
        (the same rules as any change: history, the missed appointment kept), the apology row, the
        apology queued to every subscribed conversation, and the audit entries.

        Returns the plan; `plan.errors` (nothing written) when the dossier is not late or the date is wrong.
        """
        now = now or self._clock()
        canonical = normalize_code(code)
        with self._sessions.begin() as session:
            rows = self._rows_by_code(session, [canonical] if canonical else [])
            row = rows.get(canonical)
            if row is None:
                raise LookupError(code)
            before = to_dossier(row)
            plan = plan_changes({canonical: before}, [Incoming("thư xin lỗi", {"code": canonical, "due_at": new_due})],
                                now, complete=False)
            if not plan.errors:
                problem = _apology_problem(before, plan.changes[0].after, now)
                if problem:
                    plan.errors.append(("thư xin lỗi", FieldError("due_at", problem)))
            if plan.errors:
                return plan
            self._write(session, plan.writes, rows, f"apology:{actor}", now)
            after = plan.changes[0].after
            missed = after.missed_due_at or before.due_at
            text = apology_text(after, procedure_names(session, {after.procedure_code}).get(after.procedure_code),
                                missed, reason)
            subscriptions = session.scalars(
                select(DossierSubscriptionRow).where(DossierSubscriptionRow.dossier_id == row.id)).all()
            apology = DossierApologyRow(dossier_id=row.id, sent_at=now, sent_by=sent_by[:100], missed_due_at=missed,
                                        new_due_at=after.due_at, reason=reason, notified=len(subscriptions))
            session.add(apology)
            session.flush()
            for sub in subscriptions:
                session.add(new_row(sub.channel, sub.recipient_id, text, f"dossier-{row.id}-a{apology.id}-s{sub.id}",
                                    self._clock()))
            plan.notifications = len(subscriptions)
            record_audit(session, actor, audit_changes(plan, reason) + [audit.Change(
                "dossier_apology", canonical, "thư xin lỗi", None, text, reason)], now)
            return plan

    def _rows_by_code(self, session: Session, codes: Iterable[str]) -> dict[str, DossierRow]:
        codes = sorted(set(codes))
        rows: dict[str, DossierRow] = {}
        for i in range(0, len(codes), CHUNK):
            chunk = codes[i:i + CHUNK]
            for row in session.scalars(select(DossierRow).where(DossierRow.code.in_(chunk)).with_for_update()):
                rows[row.code] = row
        return rows

    def _write(self, session: Session, changes: list[Change], rows: dict[str, DossierRow],
               source: str, now: dt.datetime) -> int:
        """Write the changes with their history; queue notifications; return how many were queued."""
        names = procedure_names(session, {c.after.procedure_code for c in changes})
        place = self._place()
        queued = 0
        for change in changes:
            row = rows.get(change.after.code)
            if change.kind == CREATE:
                row = DossierRow(created_at=now)
                session.add(row)
            _fill(row, change.after)
            session.flush()
            history = DossierHistoryRow(
                dossier_id=row.id,
                old_status=change.before.status.value if change.before else None,
                new_status=change.after.status.value,
                changed_at=now,
                source=source[:200],
                fields=", ".join(changed_fields(change)),
            )
            session.add(history)
            if change.before is not None and change.status_changed:
                session.flush()
                text = notification_text(change.after, names.get(change.after.procedure_code), place)
                for sub in session.scalars(
                    select(DossierSubscriptionRow).where(DossierSubscriptionRow.dossier_id == row.id)
                ).all():
                    session.add(new_row(sub.channel, sub.recipient_id, text,
                                        f"dossier-{row.id}-h{history.id}-s{sub.id}", self._clock()))
                    queued += 1
        return queued

    def seed_demo(self, dossiers: Sequence[Dossier], now: dt.datetime | None = None) -> int:
        """Store the demo set when there are no dossiers yet; returns how many were added."""
        now = now or self._clock()
        with self._sessions.begin() as session:
            serialize(session, "dossiers-seed")
            if session.scalar(select(func.count()).select_from(DossierRow)):
                return 0
            for d in dossiers:
                row = DossierRow(created_at=now)
                _fill(row, d)
                session.add(row)
                session.flush()
                session.add(DossierHistoryRow(dossier_id=row.id, old_status=None, new_status=d.status.value,
                                              changed_at=now, source="demo", fields="mới"))
            return len(dossiers)
