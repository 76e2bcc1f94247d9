"""Planning an import or a push: create, update, unchanged or stale, or why not.

Pure: it takes the stored dossiers and the incoming records and returns a
`Plan`; the store writes it in one transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any, Mapping, Sequence

from bot.core import audit
from bot.core.clock import format_day, format_day_time, to_local
from bot.core.contact import mask_phone
from bot.core.dossiers.status import (
    DONE_STATUSES,
    FINISHED_STATUSES,
    STATUS_LABELS,
    Dossier,
    DossierStatus,
    ReturnMethod,
    is_past,
)
from bot.core.dossiers.validation import FIELD_LABELS, REQUIRED_FOR_NEW, FieldError, check_consistency, parse_fields

CREATE, UPDATE, UNCHANGED, STALE = "create", "update", "unchanged", "stale"
_COMPARED = ("procedure_code", "applicant_name", "phone", "status", "received_at", "due_at",
             "finished_at", "unit", "note", "return_method", "missed_due_at")


@dataclass(frozen=True)
class Incoming:
    """One record from a file line or a pushed object; `where` names it in errors."""

    where: str
    fields: Mapping[str, Any]


@dataclass(frozen=True)
class Change:
    kind: str
    where: str
    before: Dossier | None
    after: Dossier

    @property
    def status_changed(self) -> bool:
        return self.before is None or self.before.status != self.after.status


@dataclass
class Plan:
    changes: list[Change] = field(default_factory=list)
    errors: list[tuple[str, FieldError]] = field(default_factory=list)
    notifications: int = 0  # messages queued for subscribers when the plan was written

    def count(self, kind: str) -> int:
        return sum(1 for c in self.changes if c.kind == kind)

    @property
    def writes(self) -> list[Change]:
        return [c for c in self.changes if c.kind in (CREATE, UPDATE)]


def _missed_due(before: Dossier, after_due: dt.datetime, when: dt.datetime) -> dt.datetime | None:
    """Keep the missed appointment when a new one is set after the old one passed."""
    if before.missed_due_at is not None:
        return before.missed_due_at
    if after_due != before.due_at and before.status not in DONE_STATUSES and is_past(before.due_at, when):
        return before.due_at
    return None


def merge(before: Dossier | None, values: Mapping[str, Any], now: dt.datetime) -> Dossier:
    """The dossier after applying validated `values` (all required ones when new)."""
    updated_at = values.get("updated_at") or now
    if before is None:
        status = values["status"]
        finished = values.get("finished_at")
        if finished is None and status in FINISHED_STATUSES:
            finished = updated_at
        return Dossier(
            code=values["code"], procedure_code=values["procedure_code"],
            applicant_name=values["applicant_name"], phone=values["phone"], status=status,
            received_at=values["received_at"], due_at=values["due_at"], updated_at=updated_at,
            finished_at=finished, unit=values.get("unit"), note=values.get("note"),
            return_method=values.get("return_method", ReturnMethod.DESK),
        )
    changes = {k: v for k, v in values.items() if k not in ("code", "updated_at")}
    after = replace(before, **changes, updated_at=updated_at)
    if "finished_at" not in values:
        if after.status in FINISHED_STATUSES and before.status not in FINISHED_STATUSES:
            after = replace(after, finished_at=updated_at)
        elif after.status not in FINISHED_STATUSES:
            after = replace(after, finished_at=None)
    after = replace(after, missed_due_at=_missed_due(before, after.due_at, updated_at))
    return after


def _same(a: Dossier, b: Dossier) -> bool:
    return all(getattr(a, f) == getattr(b, f) for f in _COMPARED)


def plan_changes(existing: Mapping[str, Dossier], incoming: Sequence[Incoming], now: dt.datetime,
                 complete: bool = True) -> Plan:
    """Decide, for each incoming record, create / update / unchanged / stale, or why not.

    Pure: `existing` maps canonical code → stored dossier. With `complete` (CSV
    files) every record carries every required field; without (pushes) a known
    dossier may be sent with only the fields that changed. Duplicate codes in one
    batch are errors. A record whose updated_at is older than the stored one is
    stale and skipped, so pushes that arrive out of order never undo newer data.
    """
    plan = Plan()
    seen: dict[str, str] = {}
    for item in incoming:
        values, errors = parse_fields(item.fields)
        code = values.get("code")
        if "code" not in values and not any(e.field == "code" for e in errors):
            errors.append(FieldError("code", "thiếu mã hồ sơ"))
        if code is not None:
            if code in seen:
                errors.append(FieldError("code", f"mã {code} trùng với {seen[code][:1].lower()}{seen[code][1:]}"))
            else:
                seen[code] = item.where
        before = existing.get(code) if code else None
        if code is not None and (complete or before is None):
            for name in REQUIRED_FOR_NEW:
                if name not in values and not any(e.field == name for e in errors):
                    errors.append(FieldError(name, f"thiếu {FIELD_LABELS[name]}"))
        if errors:
            plan.errors.extend((item.where, e) for e in errors)
            continue
        if before is not None and values.get("updated_at") and values["updated_at"] < before.updated_at:
            plan.changes.append(Change(STALE, item.where, before, before))
            continue
        after = merge(before, values, now)
        problems = check_consistency(after)
        if problems:
            plan.errors.extend((item.where, e) for e in problems)
            continue
        if before is not None and _same(before, after):
            plan.changes.append(Change(UNCHANGED, item.where, before, before))
            continue
        plan.changes.append(Change(CREATE if before is None else UPDATE, item.where, before, after))
    return plan


def changed_fields(change: Change) -> list[str]:
    if change.before is None:
        return ["mới"]
    return [f for f in _COMPARED if getattr(change.before, f) != getattr(change.after, f)]


AUDIT_FIELD_LABELS = {**FIELD_LABELS, "missed_due_at": "ngày hẹn đã lỡ"}


def shown_value(name: str, value: Any) -> str | None:
    """A field's value as staff read it in the audit log: labels, Vietnam dates, a phone masked."""
    if value is None:
        return None
    if isinstance(value, DossierStatus):
        return STATUS_LABELS[value]
    if isinstance(value, dt.datetime):
        return format_day(value) if to_local(value).time() == dt.time(0) else format_day_time(value)
    if name == "phone":
        return mask_phone(str(value))
    if isinstance(value, ReturnMethod):
        return "qua bưu điện" if value is ReturnMethod.POST else "tại quầy"
    return str(value)


def audit_changes(plan: Plan, reason: str | None = None) -> list[audit.Change]:
    """The audit entries for a written plan: one per changed field of each dossier ("mới" for a new one)."""
    entries = []
    for change in plan.writes:
        code = change.after.code
        if change.before is None:
            entries.append(audit.Change("dossier_create", code, "mới", None,
                                        shown_value("status", change.after.status), reason))
            continue
        for name in changed_fields(change):
            if name == "updated_at":
                continue
            entries.append(audit.Change("dossier_update", code, AUDIT_FIELD_LABELS.get(name, name),
                                        shown_value(name, getattr(change.before, name)),
                                        shown_value(name, getattr(change.after, name)), reason))
    return entries
