"""The published tier in SQL: national-portal records, one JSON document per code, and the import audit."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Callable

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Engine

from bot.core.clock import now_utc
from bot.core.portal_plan import ImportPlan
from bot.core.published import PublishedProcedure
from bot.db.engine import session_factory
from bot.db.models import PortalImportRow, PublishedProcedureRow

EMPTY_FINGERPRINT = hashlib.sha256(b"").hexdigest()


def _document(p: PublishedProcedure) -> tuple[str, str]:
    """The stored JSON of a record and its hash."""
    data = json.dumps(p.to_dict(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return data, hashlib.sha256(data.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class PortalImport:
    """One audit entry."""

    id: int
    run_by: str
    run_at: dt.datetime
    source: str
    files: int
    added: int
    changed: int
    removed: int
    unchanged: int
    flagged: int


class PublishedStore:
    """Reads and writes of published records. Methods are named for what they answer."""

    def __init__(self, engine: Engine, clock: Callable[[], dt.datetime] = now_utc):
        self._sessions = session_factory(engine)
        self._clock = clock

    def all(self) -> list[PublishedProcedure]:
        with self._sessions() as session:
            rows = session.execute(select(PublishedProcedureRow.data).order_by(PublishedProcedureRow.code)).all()
        return [PublishedProcedure.from_dict(json.loads(data)) for (data,) in rows]

    def by_code(self) -> dict[str, PublishedProcedure]:
        return {p.code: p for p in self.all()}

    def get(self, code: str) -> PublishedProcedure | None:
        with self._sessions() as session:
            data = session.scalar(select(PublishedProcedureRow.data).where(PublishedProcedureRow.code == code))
        return PublishedProcedure.from_dict(json.loads(data)) if data else None

    def fingerprint(self) -> str:
        """Of every stored record as of the last import (changes only through `apply`)."""
        with self._sessions() as session:
            value = session.scalar(select(PortalImportRow.fingerprint).order_by(PortalImportRow.id.desc()).limit(1))
        return value or EMPTY_FINGERPRINT

    def imports(self, limit: int = 20) -> list[PortalImport]:
        with self._sessions() as session:
            rows = session.scalars(select(PortalImportRow).order_by(PortalImportRow.id.desc()).limit(limit)).all()
            return [PortalImport(r.id, r.run_by, r.run_at, r.source, r.files, r.added, r.changed, r.removed,
                                 r.unchanged, r.flagged) for r in rows]

    def last_import_changes(self) -> tuple[PortalImport | None, list[str], list[str]]:
        """The last import, and the codes it added and changed (records it wrote that are still stored)."""
        last = next(iter(self.imports(limit=1)), None)
        if last is None:
            return None, [], []
        with self._sessions() as session:
            rows = session.execute(select(PublishedProcedureRow.code, PublishedProcedureRow.imported_at).where(
                PublishedProcedureRow.updated_at == last.run_at).order_by(PublishedProcedureRow.code)).all()
        added = [code for code, imported_at in rows if imported_at == last.run_at]
        return last, added, [code for code, imported_at in rows if imported_at != last.run_at]

    def apply(self, plan: ImportPlan, *, run_by: str, source: str, files: int) -> PortalImport:
        """Store the plan and its audit entry in one transaction: all of it or, on any error, nothing."""
        now = self._clock()
        incoming = {p.code: p for p in plan.incoming}
        changed_codes = [c.code for c in plan.changed]
        with self._sessions.begin() as session:
            if plan.removed:
                codes = [p.code for p in plan.removed]
                for start in range(0, len(codes), 500):
                    session.execute(delete(PublishedProcedureRow).where(
                        PublishedProcedureRow.code.in_(codes[start:start + 500])))
            for p in plan.added:
                data, digest = _document(p)
                session.add(PublishedProcedureRow(
                    code=p.code, name=p.name, field=p.field[:300], collected_on=p.collected_on,
                    flagged=bool(p.flags), content_hash=digest, data=data, imported_at=now, updated_at=now,
                ))
            for code in changed_codes:
                p = incoming[code]
                data, digest = _document(p)
                session.execute(update(PublishedProcedureRow).where(PublishedProcedureRow.code == code).values(
                    name=p.name, field=p.field[:300], collected_on=p.collected_on, flagged=bool(p.flags),
                    content_hash=digest, data=data, updated_at=now,
                ))
            session.flush()
            hashes = session.execute(
                select(PublishedProcedureRow.code, PublishedProcedureRow.content_hash).order_by(PublishedProcedureRow.code)
            ).all()
            fingerprint = hashlib.sha256("\n".join(f"{c} {h}" for c, h in hashes).encode()).hexdigest()
            counts = plan.counts()
            row = PortalImportRow(run_by=run_by[:200], run_at=now, source=source, files=files, fingerprint=fingerprint,
                                  **counts)
            session.add(row)
            session.flush()
            return PortalImport(row.id, row.run_by, now, source, files, counts["added"], counts["changed"],
                                counts["removed"], counts["unchanged"], counts["flagged"])
