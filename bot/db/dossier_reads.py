"""Dossiers in SQL, read only: finding them, the late list, their history and apologies.

`DossierReads` is the read half of `bot.db.dossier_store.DossierStore`, which
sets the session factory and the clock it uses; `to_dossier` and
`procedure_names` serve the store's writes and the citizens' checks too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.core.catalog import short_name
from bot.core.dossiers.codes import normalize_code
from bot.core.dossiers.status import DONE_STATUSES, Dossier, DossierStatus, ReturnMethod, is_late
from bot.db.models import DossierApologyRow, DossierHistoryRow, DossierRow, ProcedureRow, PublishedProcedureRow

CHUNK = 500  # codes or ids in one IN (...) query


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


def to_dossier(row: DossierRow) -> Dossier:
    return Dossier(
        code=row.code, procedure_code=row.procedure_code, applicant_name=row.applicant_name,
        phone=row.phone, status=DossierStatus(row.status), received_at=row.received_at,
        due_at=row.due_at, updated_at=row.updated_at, finished_at=row.finished_at,
        unit=row.unit, note=row.note, return_method=ReturnMethod(row.return_method),
        missed_due_at=row.missed_due_at,
    )


def procedure_names(session: Session, codes: set[str]) -> dict[str, str]:
    """Short names of procedures by code, from either tier."""
    if not codes:
        return {}
    # A curated name wins over the published one with the same code.
    published = session.execute(select(PublishedProcedureRow.code, PublishedProcedureRow.name)
                                .where(PublishedProcedureRow.code.in_(codes)))
    curated = session.execute(select(ProcedureRow.code, ProcedureRow.name).where(ProcedureRow.code.in_(codes)))
    return {code: short_name(name) for code, name in {**dict(published.all()), **dict(curated.all())}.items()}


class DossierReads:
    """Dossier reads, named for what they answer."""

    _sessions: sessionmaker
    _clock: Callable[[], dt.datetime]

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
            return [(r.id, to_dossier(r)) for r in rows]

    def by_id(self, dossier_id: int) -> Dossier | None:
        with self._sessions() as session:
            row = session.get(DossierRow, dossier_id)
            return to_dossier(row) if row else None

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
            late = [(r.id, to_dossier(r)) for r in rows]
            late = [(i, d) for i, d in late if is_late(d, now)]
            late.sort(key=lambda item: (item[1].missed_due_at or item[1].due_at, item[1].code))
            late = late[:limit]
            latest: dict[int, Apology] = {}
            ids = [i for i, _ in late]
            for i in range(0, len(ids), CHUNK):
                for a in session.scalars(select(DossierApologyRow).where(
                        DossierApologyRow.dossier_id.in_(ids[i:i + CHUNK])).order_by(DossierApologyRow.id)):
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
            return to_dossier(row) if row else None

    def with_code_prefix(self, prefix: str) -> list[Dossier]:
        with self._sessions() as session:
            rows = session.scalars(select(DossierRow).where(DossierRow.code.startswith(prefix, autoescape=True))
                                   .order_by(DossierRow.code))
            return [to_dossier(r) for r in rows]

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
            return procedure_names(session, {procedure_code}).get(procedure_code)
