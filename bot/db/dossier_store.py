"""Dossiers in SQL: staff changes with history and notifications, citizen checks.

Every write happens in one transaction: a batch (CSV file, pushed JSON) is
written whole or not at all, each change adds a history row naming its source,
and a status change queues a message for every subscribed conversation in the
same transaction, so the queue never misses or invents a change.

Concurrent writers: the dossiers a write is about are read locked
(`with_for_update` on PostgreSQL; SQLite's write transactions take the whole
database, see `bot.db.engine`), and citizens' checks, which count earlier
failures before adding one, run one at a time (`serialize`), so no update is
lost and the lock-out cannot be overshot by checks sent at once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.core import audit
from bot.core.catalog import short_name
from bot.core.clock import now_utc, to_local
from bot.core.contact import phone_matches
from bot.core.dossiers.access import DEFAULT_LIMITS, VERIFIED_FOR, CheckLimits, Failure, Lockout
from bot.core.dossiers.codes import normalize_code
from bot.core.dossiers.planning import CREATE, Change, Incoming, Plan, audit_changes, changed_fields, plan_changes
from bot.core.dossiers.status import DONE_STATUSES, Dossier, DossierStatus, ReturnMethod, is_late
from bot.core.dossiers.validation import FieldError
from bot.core.dossiers.wording import apology_text, notification_text
from bot.core.office import DEFAULT_PLACE, Place
from bot.db.audit_store import record as record_audit
from bot.db.engine import serialize, session_factory
from bot.db.models import (
    DossierApologyRow,
    DossierCheckFailureRow,
    DossierHistoryRow,
    DossierRow,
    DossierSubscriptionRow,
    DossierVerificationRow,
    ProcedureRow,
    PublishedProcedureRow,
)
from bot.db.outbox_store import new_row

_CHUNK = 500
FAILURE_RETENTION = dt.timedelta(days=1)


@dataclass(frozen=True)
class HistoryEntry:
    old_status: str | None
    new_status: str
    changed_at: dt.datetime
    source: str
    fields: str


@dataclass(frozen=True)
class Apology:
    """An apology letter sent for a late dossier."""

    sent_at: dt.datetime
    sent_by: str
    missed_due_at: dt.datetime
    new_due_at: dt.datetime
    reason: str | None
    notified: int


@dataclass(frozen=True)
class LateDossier:
    id: int
    dossier: Dossier
    apology: Apology | None  # the latest one sent, if any


def _apology(row: DossierApologyRow) -> Apology:
    return Apology(row.sent_at, row.sent_by, row.missed_due_at, row.new_due_at, row.reason, row.notified)


@dataclass(frozen=True)
class CheckResult:
    """`ok` (dossier set), `no_match` (unknown code or wrong phone: said the same way), or `locked`
    (`locked_until`, and `scope`: which limit, bot.core.dossiers.access)."""

    kind: str
    dossier: Dossier | None = None
    locked_until: dt.datetime | None = None
    scope: str | None = None


def _to_dossier(row: DossierRow) -> Dossier:
    return Dossier(
        code=row.code, procedure_code=row.procedure_code, applicant_name=row.applicant_name,
        phone=row.phone, status=DossierStatus(row.status), received_at=row.received_at,
        due_at=row.due_at, updated_at=row.updated_at, finished_at=row.finished_at,
        unit=row.unit, note=row.note, return_method=ReturnMethod(row.return_method),
        missed_due_at=row.missed_due_at,
    )


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


class DossierStore:
    """All dossier reads and writes. Methods are named for what they answer.

    `clock` (aware) gives `now` when a method is not passed one.
    """

    def __init__(self, engine: Engine, place: Callable[[], Place] | None = None,
                 limits: CheckLimits = DEFAULT_LIMITS, clock: Callable[[], dt.datetime] = now_utc):
        self._sessions = session_factory(engine)
        self._place = place or (lambda: DEFAULT_PLACE)
        self.limits = limits
        self._clock = clock

    # --- staff side ---------------------------------------------------------

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
                    plan = plan_changes({c: _to_dossier(r) for c, r in rows.items()}, incoming, now, complete)
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
            before = _to_dossier(row)
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
            text = apology_text(after, self._procedure_names(session, {after.procedure_code}).get(after.procedure_code),
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
        for i in range(0, len(codes), _CHUNK):
            chunk = codes[i:i + _CHUNK]
            for row in session.scalars(select(DossierRow).where(DossierRow.code.in_(chunk)).with_for_update()):
                rows[row.code] = row
        return rows

    def _write(self, session: Session, changes: list[Change], rows: dict[str, DossierRow],
               source: str, now: dt.datetime) -> int:
        """Write the changes with their history; queue notifications; return how many were queued."""
        names = self._procedure_names(session, {c.after.procedure_code for c in changes})
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

    # --- reads ----------------------------------------------------------------

    def find(self, text: str, limit: int = 20) -> list[tuple[int, Dossier]]:
        """Dossiers whose code is `text` (any typed form) or contains it (at least 4 characters)."""
        canonical = normalize_code(text)
        part = "".join(text.split()).upper()[:40]
        with self._sessions() as session:
            if canonical:
                query = select(DossierRow).where(DossierRow.code == canonical)
            elif len(part) >= 4:
                query = select(DossierRow).where(DossierRow.code.contains(part, autoescape=True))
            else:
                return []
            rows = session.scalars(query.order_by(DossierRow.received_at.desc()).limit(limit))
            return [(r.id, _to_dossier(r)) for r in rows]

    def by_id(self, dossier_id: int) -> Dossier | None:
        with self._sessions() as session:
            row = session.get(DossierRow, dossier_id)
            return _to_dossier(row) if row else None

    def late(self, now: dt.datetime | None = None, limit: int = 500) -> list[LateDossier]:
        """Late dossiers (`is_late`), longest overdue first, each with the latest apology sent."""
        now = now or self._clock()
        with self._sessions() as session:
            # Candidates: not done, and the appointment (or a missed one) is before the end of today.
            soon = now + dt.timedelta(days=1)
            rows = session.scalars(select(DossierRow).where(
                DossierRow.status.notin_([s.value for s in DONE_STATUSES]),
                (DossierRow.due_at < soon) | DossierRow.missed_due_at.isnot(None),
            )).all()
            late = [(r.id, _to_dossier(r)) for r in rows]
            late = [(i, d) for i, d in late if is_late(d, now)]
            late.sort(key=lambda item: (item[1].missed_due_at or item[1].due_at, item[1].code))
            late = late[:limit]
            latest: dict[int, Apology] = {}
            ids = [i for i, _ in late]
            for i in range(0, len(ids), _CHUNK):
                for a in session.scalars(select(DossierApologyRow).where(
                        DossierApologyRow.dossier_id.in_(ids[i:i + _CHUNK])).order_by(DossierApologyRow.id)):
                    latest[a.dossier_id] = _apology(a)
            return [LateDossier(i, d, latest.get(i)) for i, d in late]

    def apologies(self, code: str) -> list[Apology]:
        canonical = normalize_code(code)
        with self._sessions() as session:
            rows = session.scalars(
                select(DossierApologyRow).join(DossierRow, DossierRow.id == DossierApologyRow.dossier_id)
                .where(DossierRow.code == canonical).order_by(DossierApologyRow.id)).all()
            return [_apology(r) for r in rows]

    def get(self, code: str) -> Dossier | None:
        canonical = normalize_code(code)
        if canonical is None:
            return None
        with self._sessions() as session:
            row = session.scalar(select(DossierRow).where(DossierRow.code == canonical))
            return _to_dossier(row) if row else None

    def with_code_prefix(self, prefix: str) -> list[Dossier]:
        with self._sessions() as session:
            rows = session.scalars(select(DossierRow).where(DossierRow.code.startswith(prefix, autoescape=True))
                                   .order_by(DossierRow.code))
            return [_to_dossier(r) for r in rows]

    def count(self) -> int:
        with self._sessions() as session:
            return session.scalar(select(func.count()).select_from(DossierRow)) or 0

    def history(self, code: str) -> list[HistoryEntry]:
        canonical = normalize_code(code)
        with self._sessions() as session:
            rows = session.scalars(
                select(DossierHistoryRow).join(DossierRow, DossierRow.id == DossierHistoryRow.dossier_id)
                .where(DossierRow.code == canonical).order_by(DossierHistoryRow.id)
            ).all()
            return [HistoryEntry(r.old_status, r.new_status, r.changed_at, r.source, r.fields) for r in rows]

    def procedure_name(self, procedure_code: str) -> str | None:
        with self._sessions() as session:
            return self._procedure_names(session, {procedure_code}).get(procedure_code)

    @staticmethod
    def _procedure_names(session: Session, codes: set[str]) -> dict[str, str]:
        if not codes:
            return {}
        # A curated name wins over the published one with the same code.
        published = session.execute(select(PublishedProcedureRow.code, PublishedProcedureRow.name)
                                    .where(PublishedProcedureRow.code.in_(codes)))
        curated = session.execute(select(ProcedureRow.code, ProcedureRow.name).where(ProcedureRow.code.in_(codes)))
        return {code: short_name(name) for code, name in {**dict(published.all()), **dict(curated.all())}.items()}

    # --- citizen side ---------------------------------------------------------

    def lockout(self, sender_id: str, *, ip: str | None = None, now: dt.datetime | None = None) -> Lockout | None:
        """Whether a check from this conversation (and kiosk address) would be refused now, whatever the code."""
        now = now or self._clock()
        with self._sessions() as session:
            return self.limits.lockout(self._recent_failures(session, now), now, sender_id=sender_id, ip=ip)

    def _recent_failures(self, session: Session, now: dt.datetime) -> list[Failure]:
        """Everyone's failures within the longest window (the overall budget keeps them few)."""
        rows = session.execute(select(
            DossierCheckFailureRow.failed_at, DossierCheckFailureRow.sender_id,
            DossierCheckFailureRow.dossier_code, DossierCheckFailureRow.client_ip,
        ).where(DossierCheckFailureRow.failed_at > now - self.limits.window))
        return [Failure(at, sender, code, ip) for at, sender, code, ip in rows]

    @staticmethod
    def _forget_old(session: Session, now: dt.datetime) -> None:
        """Failures past any window and expired checks are of no more use."""
        session.execute(delete(DossierCheckFailureRow).where(
            DossierCheckFailureRow.failed_at < now - FAILURE_RETENTION))
        session.execute(delete(DossierVerificationRow).where(DossierVerificationRow.expires_at <= now))

    def check(self, sender_id: str, code: str | None, last4: str | None,
              now: dt.datetime | None = None, *, ip: str | None = None) -> CheckResult:
        """A citizen's check: both the code and the phone's last 4 digits must match.

        A failure is recorded for the limits (conversation, kiosk address `ip`,
        code, overall); the caller answers an unknown code and a wrong phone the
        same way. A success is recorded too: it lets the conversation follow the
        dossier for a while (`verified_code`).
        """
        now = now or self._clock()
        canonical = normalize_code(code)
        ip = (ip or None) and ip[:64]
        with self._sessions.begin() as session:
            serialize(session, "dossier-checks")  # one check at a time: no overshoot
            self._forget_old(session, now)
            failures = self._recent_failures(session, now)
            locked = self.limits.lockout(failures, now, sender_id=sender_id, code=canonical, ip=ip)
            if locked:
                return CheckResult("locked", locked_until=locked.until, scope=locked.scope)
            row = session.scalar(select(DossierRow).where(DossierRow.code == canonical)) if canonical else None
            if row is not None and phone_matches(row.phone, last4):
                session.add(DossierVerificationRow(sender_id=sender_id, dossier_code=row.code, verified_at=now,
                                                   expires_at=now + VERIFIED_FOR))
                return CheckResult("ok", dossier=_to_dossier(row))
            session.add(DossierCheckFailureRow(sender_id=sender_id, failed_at=now, dossier_code=canonical,
                                               client_ip=ip))
            failure = Failure(now, sender_id, canonical, ip)
            locked = self.limits.lockout(failures + [failure], now, sender_id=sender_id, code=canonical, ip=ip)
            if locked:
                return CheckResult("locked", locked_until=locked.until, scope=locked.scope)
            return CheckResult("no_match")

    def verified_code(self, sender_id: str, code: str | None = None,
                      now: dt.datetime | None = None) -> str | None:
        """The dossier this conversation checked successfully and may still follow: `code`
        if it is one of them, else the latest; None when there is none (or it expired)."""
        now = now or self._clock()
        canonical = normalize_code(code)
        with self._sessions() as session:
            codes = list(session.scalars(
                select(DossierVerificationRow.dossier_code).where(
                    DossierVerificationRow.sender_id == sender_id, DossierVerificationRow.expires_at > now,
                ).order_by(DossierVerificationRow.verified_at.desc(), DossierVerificationRow.id.desc())
            ))
        if canonical in codes:
            return canonical
        return codes[0] if codes else None

    def subscribe(self, code: str, sender_id: str, channel: str, recipient_id: str,
                  now: dt.datetime | None = None) -> bool:
        """Follow a dossier's changes from a push channel; False when already following."""
        now = now or self._clock()
        canonical = normalize_code(code)
        try:
            with self._sessions.begin() as session:
                row = session.scalar(select(DossierRow).where(DossierRow.code == canonical).with_for_update()
                                     ) if canonical else None
                if row is None:
                    raise LookupError(code)
                exists = session.scalar(select(DossierSubscriptionRow.id).where(
                    DossierSubscriptionRow.dossier_id == row.id, DossierSubscriptionRow.sender_id == sender_id))
                if exists:
                    return False
                session.add(DossierSubscriptionRow(dossier_id=row.id, sender_id=sender_id, channel=channel,
                                                   recipient_id=recipient_id, created_at=now))
        except IntegrityError:  # the same conversation subscribed at the same moment
            return False
        return True

    def subscribers(self, code: str) -> list[str]:
        canonical = normalize_code(code)
        with self._sessions() as session:
            return list(session.scalars(
                select(DossierSubscriptionRow.sender_id).join(DossierRow, DossierRow.id == DossierSubscriptionRow.dossier_id)
                .where(DossierRow.code == canonical).order_by(DossierSubscriptionRow.id)
            ))
