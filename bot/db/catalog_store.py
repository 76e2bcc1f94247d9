"""Procedure catalog in SQL: replace it from validated records, read it back, mark a record checked, edit records.

A check made in the staff console (`mark_checked`) moves the record's
`verified_on` to that day, is stored in `procedure_checks` with the person's
name, and is audited, all in one transaction that also changes the catalog's
fingerprint, so every running process (the action server included) answers
with the new date from its next question. Reloading the YAML files
(`replace_all`) keeps a check whose day is later than the file's
`verified_on` as long as the record's content is still the one checked.

Records edited in the console (`apply_edits`, from the edit form or an
uploaded spreadsheet) are replaced whole, with one audit entry per changed
field and a new fingerprint, in one transaction; an edit made from a version
of the record that is no longer stored is refused (`StaleEdits`). A reload of
the YAML files keeps console edits (`procedure_edits`) unless told otherwise:
see `replace_all`.
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
from bot.core.catalog import Document, Fee, Form, Online, Procedure, ProcessingTime, plain_data
from bot.core.clock import format_day, now_utc
from bot.core.record_fields import changes, version
from bot.db.audit_store import record
from bot.db.engine import serialize, session_factory
from bot.db.models import AliasRow, CatalogMetaRow, DocumentRow, FormRow, ProcedureCheckRow, ProcedureEditRow, \
    ProcedureRow, StepRow


def fingerprint(procedures: Sequence[Procedure]) -> str:
    payload = json.dumps([p.json(sort_keys=True) for p in sorted(procedures, key=lambda p: p.code)])
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def content_hash(p: Procedure) -> str:
    """Of everything a record says except the day it was checked."""
    data = plain_data(json.loads(p.json(exclude={"verified_on"})))
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()




@dataclass(frozen=True)
class Check:
    code: str
    checked_on: dt.date
    checked_by: str
    checked_at: dt.datetime


@dataclass(frozen=True)
class ConsoleEdit:
    code: str
    edited_by: str
    edited_at: dt.datetime


@dataclass(frozen=True)
class Edit:
    """A whole new record for a curated code, and the `record_fields.version` of the record it was made from."""

    base_version: str
    record: Procedure


class StaleEdits(Exception):
    """Records changed by someone else since the form or file was read; `current` holds them as stored now
    (None for a record no longer stored). Nothing was saved."""

    def __init__(self, current: dict[str, Procedure | None]):
        self.current = current
        super().__init__(", ".join(current))


def _with_checks(procedures: list[Procedure], checks: dict[str, ProcedureCheckRow]) -> list[Procedure]:
    """Records with the later of their own `verified_on` and a check of the same content."""
    out = []
    for p in procedures:
        c = checks.get(p.code)
        if c is not None and c.checked_on > p.verified_on and c.content_hash == content_hash(p):
            p = p.copy(update={"verified_on": c.checked_on})
        out.append(p)
    return out


def _with_console_edits(session, procedures: list[Procedure], prefer_files: bool) -> list[Procedure]:
    """The file records, with the stored console version instead wherever a console edit is still open."""
    marks = {m.code: m for m in session.scalars(select(ProcedureEditRow))}
    if not marks:
        return procedures
    stored = {p.code: p for p in _stored(session)}
    from_files = {p.code: p for p in procedures}
    for code, mark in marks.items():
        console, file = stored.get(code), from_files.get(code)
        settled = console is None or (file is not None and content_hash(file) == content_hash(console))
        if prefer_files or settled:
            session.delete(mark)
            if file is not None and console is not None and console.verified_on > file.verified_on:
                from_files[code] = file.copy(update={"verified_on": console.verified_on})
            continue
        from_files[code] = console  # the console's version stays; files unchanged since, or changed too
    session.flush()
    return list(from_files.values())


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

    def replace_all(self, procedures: Iterable[Procedure], *, prefer_files: bool = False) -> int:
        """Replace the whole catalog in one transaction; on any error nothing changes.

        A record edited in the console stays as the console left it, unless `prefer_files`: the files
        win only once they say what the console says (then the edit is settled and forgotten).
        `console_edits()` lists the records kept that way.
        """
        procedures = list(procedures)
        with self._sessions.begin() as session:
            serialize(session, "catalog")  # two processes loading an empty database at once
            checks = {c.code: c for c in session.scalars(select(ProcedureCheckRow))}
            procedures = _with_checks(procedures, checks)
            procedures = _with_console_edits(session, procedures, prefer_files)
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

    def apply_edits(self, edits: Sequence[Edit], *, actor: str, reason: str, at: dt.datetime) -> list[str]:
        """Store new versions of curated records, all or nothing, with one audit entry per changed field
        (who, when, field, old, new, why) and a new catalog fingerprint. Returns the codes that changed.

        Raises StaleEdits (nothing saved) when a record is no longer the version an edit was made from
        or is not stored at all.
        """
        with self._sessions.begin() as session:
            serialize(session, "catalog")
            rows, stale = {}, {}
            for edit in edits:
                row = session.get(ProcedureRow, edit.record.code, with_for_update=True)
                current = _from_row(row) if row is not None else None
                if current is None or version(current) != edit.base_version:
                    stale[edit.record.code] = current
                rows[edit.record.code] = (row, current)
            if stale:
                raise StaleEdits(stale)
            changed = []
            for edit in edits:
                row, current = rows[edit.record.code]
                diff = changes(current, edit.record)
                if not diff:
                    continue
                changed.append(current.code)
                mark = session.get(ProcedureEditRow, current.code)
                if mark is None:
                    mark = ProcedureEditRow(code=current.code, file_hash=content_hash(current))
                    session.add(mark)
                mark.edited_by, mark.edited_at = actor[:100], at
                session.delete(row)
                session.flush()
                session.add(_to_row(edit.record))
                record(session, actor, [Change("procedure_edit", f"thủ tục {current.code}", c.key, c.old, c.new,
                                               reason) for c in diff], at)
            if changed:
                session.flush()
                meta = session.scalar(select(CatalogMetaRow).order_by(CatalogMetaRow.id.desc()).limit(1))
                if meta is not None:
                    meta.fingerprint = fingerprint(_stored(session))
            return changed

    def console_edits(self) -> list[ConsoleEdit]:
        """Records whose stored content comes from the console, not from the YAML files; by code."""
        with self._sessions() as session:
            return [ConsoleEdit(r.code, r.edited_by, r.edited_at)
                    for r in session.scalars(select(ProcedureEditRow).order_by(ProcedureEditRow.code))]

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
