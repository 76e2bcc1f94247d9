"""Procedure catalog in SQL: replace it from validated records, read it back, mark a record checked.

A check made in the staff console (`mark_checked`) moves the record's
`verified_on` to that day, is stored in `procedure_checks` with the person's
name, and is audited, all in one transaction that also changes the catalog's
fingerprint, so every running process (the action server included) answers
with the new date from its next question. Reloading the YAML files
(`replace_all`) keeps a check whose day is later than the file's
`verified_on` as long as the record's content is still the one checked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Iterable, Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import selectinload

from bot.core.audit import Change
from bot.core.catalog import Document, Fee, Form, Online, Procedure, ProcessingTime
from bot.core.clock import format_day, now_utc
from bot.db.audit_store import record
from bot.db.engine import serialize, session_factory
from bot.db.models import AliasRow, CatalogMetaRow, DocumentRow, FormRow, ProcedureCheckRow, ProcedureRow, StepRow


def fingerprint(procedures: Sequence[Procedure]) -> str:
    payload = json.dumps([p.json(sort_keys=True) for p in sorted(procedures, key=lambda p: p.code)])
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def content_hash(p: Procedure) -> str:
    """Of everything a record says except the day it was checked."""
    data = _plain(json.loads(p.json(exclude={"verified_on"})))
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def _plain(value):
    """A whole float as an int: a record read back from the database (5.0 days) hashes like its file (5)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class Check:
    code: str
    checked_on: dt.date
    checked_by: str
    checked_at: dt.datetime


def _with_checks(procedures: list[Procedure], checks: dict[str, ProcedureCheckRow]) -> list[Procedure]:
    """Records with the later of their own `verified_on` and a check of the same content."""
    out = []
    for p in procedures:
        c = checks.get(p.code)
        if c is not None and c.checked_on > p.verified_on and c.content_hash == content_hash(p):
            p = p.copy(update={"verified_on": c.checked_on})
        out.append(p)
    return out


def _to_row(p: Procedure) -> ProcedureRow:
    row = ProcedureRow(
        code=p.code,
        name=p.name,
        field=p.field,
        level=p.level,
        agency=p.agency,
        where_to_submit=p.where_to_submit,
        processing_time_text=p.processing_time.text,
        processing_working_days=p.processing_time.working_days,
        fee_text=p.fees.text,
        fee_amount_vnd=p.fees.amount_vnd,
        fee_exemptions=p.fees.exemptions,
        fee_valid_to=p.fees.valid_to,
        online_available=p.online.available,
        online_level=p.online.level,
        portal_url=p.online.portal_url,
        notes=p.notes,
        legal_basis=json.dumps(list(p.legal_basis), ensure_ascii=False),
        keywords=json.dumps(list(p.keywords), ensure_ascii=False),
        other_codes=json.dumps(list(p.other_codes)),
        unverified=json.dumps(list(p.unverified)),
        source_url=p.source_url,
        verified_on=p.verified_on,
        valid_from=p.valid_from,
        valid_to=p.valid_to,
    )
    row.aliases = [AliasRow(position=i, text=a) for i, a in enumerate(p.aliases)]
    row.documents = [
        DocumentRow(position=i, name=d.name, kind=d.kind, quantity=d.quantity, notes=d.notes)
        for i, d in enumerate(p.documents)
    ]
    row.steps = [StepRow(position=i, text=s) for i, s in enumerate(p.steps)]
    row.forms = [FormRow(position=i, name=f.name, where=f.where, form_code=f.code) for i, f in enumerate(p.forms)]
    return row


def _from_row(row: ProcedureRow) -> Procedure:
    return Procedure.construct(
        code=row.code,
        name=row.name,
        field=row.field,
        aliases=[a.text for a in row.aliases],
        keywords=json.loads(row.keywords),
        level=row.level,
        agency=row.agency,
        where_to_submit=row.where_to_submit,
        processing_time=ProcessingTime.construct(
            text=row.processing_time_text, working_days=row.processing_working_days
        ),
        fees=Fee.construct(
            text=row.fee_text,
            amount_vnd=row.fee_amount_vnd,
            exemptions=row.fee_exemptions,
            valid_to=row.fee_valid_to,
        ),
        documents=[
            Document.construct(name=d.name, kind=d.kind, quantity=d.quantity, notes=d.notes) for d in row.documents
        ],
        steps=[s.text for s in row.steps],
        online=Online.construct(
            available=row.online_available, level=row.online_level, portal_url=row.portal_url
        ),
        forms=[Form.construct(name=f.name, where=f.where, code=f.form_code) for f in row.forms],
        legal_basis=json.loads(row.legal_basis),
        notes=row.notes,
        other_codes=json.loads(row.other_codes),
        source_url=row.source_url,
        verified_on=row.verified_on,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        unverified=json.loads(row.unverified),
    )


def _stored(session) -> list[Procedure]:
    rows = session.scalars(
        select(ProcedureRow).options(
            selectinload(ProcedureRow.aliases),
            selectinload(ProcedureRow.documents),
            selectinload(ProcedureRow.steps),
            selectinload(ProcedureRow.forms),
        ).order_by(ProcedureRow.code)
    ).all()
    return [_from_row(r) for r in rows]


class CatalogStore:
    """All catalog reads and writes. Methods are named for what they answer."""

    def __init__(self, engine: Engine):
        self._sessions = session_factory(engine)

    def replace_all(self, procedures: Iterable[Procedure]) -> int:
        """Replace the whole catalog in one transaction; on any error nothing changes."""
        procedures = list(procedures)
        with self._sessions.begin() as session:
            serialize(session, "catalog")  # two processes loading an empty database at once
            checks = {c.code: c for c in session.scalars(select(ProcedureCheckRow))}
            procedures = _with_checks(procedures, checks)
            for model in (AliasRow, DocumentRow, StepRow, FormRow, ProcedureRow, CatalogMetaRow):
                session.execute(delete(model))
            session.add_all(_to_row(p) for p in procedures)
            session.add(
                CatalogMetaRow(
                    loaded_at=now_utc(),
                    fingerprint=fingerprint(procedures),
                    procedure_count=len(procedures),
                )
            )
        return len(procedures)

    def all_procedures(self) -> list[Procedure]:
        with self._sessions() as session:
            return _stored(session)

    def mark_checked(self, code: str, day: dt.date, *, actor: str, checked_by: str, at: dt.datetime) -> Procedure:
        """Record that `checked_by` checked curated record `code` on `day`: its `verified_on` becomes `day`
        (never earlier than it was), with a check row, an audit entry and a new catalog fingerprint, in one
        transaction. KeyError when there is no such curated record."""
        with self._sessions.begin() as session:
            serialize(session, "catalog")
            row = session.get(ProcedureRow, code, with_for_update=True)
            if row is None:
                raise KeyError(code)
            old = row.verified_on
            row.verified_on = max(old, day)
            session.flush()
            session.expire(row)
            procedure = _from_row(session.get(ProcedureRow, code))
            check = session.get(ProcedureCheckRow, code)
            if check is None:
                check = ProcedureCheckRow(code=code)
                session.add(check)
            check.checked_on, check.checked_by, check.checked_at = row.verified_on, checked_by[:100], at
            check.content_hash = content_hash(procedure)
            record(session, actor, [Change("procedure_verify", f"thủ tục {code}", "verified_on", format_day(old),
                                           format_day(row.verified_on), f"{checked_by} đã kiểm tra")], at)
            meta = session.scalar(select(CatalogMetaRow).order_by(CatalogMetaRow.id.desc()).limit(1))
            if meta is not None:
                meta.fingerprint = fingerprint(_stored(session))
            return procedure

    def last_check(self, code: str) -> Check | None:
        with self._sessions() as session:
            row = session.get(ProcedureCheckRow, code)
            return Check(row.code, row.checked_on, row.checked_by, row.checked_at) if row else None

    def get(self, code: str) -> Procedure | None:
        with self._sessions() as session:
            row = session.get(ProcedureRow, code)
            return _from_row(row) if row else None

    def required_documents(self, code: str) -> list[Document]:
        with self._sessions() as session:
            rows = session.scalars(
                select(DocumentRow).where(DocumentRow.procedure_code == code).order_by(DocumentRow.position)
            ).all()
            return [Document.construct(name=d.name, kind=d.kind, quantity=d.quantity, notes=d.notes) for d in rows]

    def fingerprint(self) -> str | None:
        with self._sessions() as session:
            return session.scalar(select(CatalogMetaRow.fingerprint).order_by(CatalogMetaRow.id.desc()).limit(1))

    def count(self) -> int:
        with self._sessions() as session:
            return session.scalar(select(func.count()).select_from(ProcedureRow)) or 0
