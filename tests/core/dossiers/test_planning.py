"""Planning imports and pushes: create, update, unchanged, stale, errors, and missed appointments."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from bot.core.dossiers.planning import CREATE, STALE, UNCHANGED, UPDATE, Incoming, plan_changes
from bot.core.dossiers.status import DossierStatus, is_late, new_appointment
from bot.core.dossiers.wording import status_report
from tests.core.dossiers.samples import CODE, NOW, dossier, row
from tests.core.times import vn


def test_a_new_appointment_after_a_missed_one_keeps_it_late():
    before = dossier()
    plan = plan_changes({CODE: before}, [Incoming("x", {"code": CODE, "due_at": "2025-03-25"})], NOW, complete=False)
    (change,) = plan.changes
    assert change.after.missed_due_at == vn(2025, 3, 19)
    assert is_late(change.after, NOW)
    assert new_appointment(change.after) == vn(2025, 3, 25)
    report = status_report(change.after, "Đăng ký khai sinh", NOW)
    assert report.late and report.missed_due == "19/03/2025" and report.new_due == "25/03/2025"


def test_moving_an_appointment_before_it_passes_is_not_lateness():
    before = dossier(due_at=vn(2025, 3, 25))
    plan = plan_changes({CODE: before}, [Incoming("x", {"code": CODE, "due_at": "2025-03-28"})], NOW, complete=False)
    assert plan.changes[0].after.missed_due_at is None
    assert not is_late(plan.changes[0].after, NOW)


def test_plan_creates_then_reimport_changes_nothing():
    plan = plan_changes({}, [Incoming("dòng 2", row())], NOW)
    assert [c.kind for c in plan.changes] == [CREATE]
    stored = plan.changes[0].after
    assert stored.phone == "0912345678" and stored.unit == "Phòng Tư pháp" and stored.note is None
    again = plan_changes({CODE: stored}, [Incoming("dòng 2", row())], NOW)
    assert [c.kind for c in again.changes] == [UNCHANGED] and not again.writes


def test_times_read_back_in_utc_are_the_same_instants_as_staff_typed():
    stored = plan_changes({}, [Incoming("dòng 2", row())], NOW).changes[0].after
    from_db = replace(stored, **{f: getattr(stored, f).astimezone(dt.timezone.utc)
                                 for f in ("received_at", "due_at", "updated_at")})
    again = plan_changes({CODE: from_db}, [Incoming("dòng 2", row())], NOW)
    assert [c.kind for c in again.changes] == [UNCHANGED]


def test_plan_update_and_stale():
    stored = plan_changes({}, [Incoming("a", row())], NOW).changes[0].after
    newer = plan_changes({CODE: stored}, [Incoming("a", row(status="result_ready", updated_at="2025-03-18T09:00"))], NOW)
    (change,) = newer.changes
    assert change.kind == UPDATE and change.status_changed
    assert change.after.finished_at == vn(2025, 3, 18, 9, 0)
    older = plan_changes({CODE: stored}, [Incoming("a", row(status="received", updated_at="2025-03-10T09:00"))], NOW)
    assert older.changes[0].kind == STALE


def test_plan_errors_dates_in_the_wrong_order_and_duplicates():
    plan = plan_changes({}, [
        Incoming("dòng 2", row(due_at="2025-03-01")),
        Incoming("dòng 3", row(code="000.00.12.H12-250312-0043")),
        Incoming("dòng 4", row(code="000 00 12 h12 250312 0043")),
    ], NOW)
    where = [(w, e.field) for w, e in plan.errors]
    assert ("dòng 2", "due_at") in where
    assert ("dòng 4", "code") in where
    assert "dòng 3" in next(e.message for w, e in plan.errors if w == "dòng 4")


def test_a_complete_record_is_required_for_new_dossiers():
    plan = plan_changes({}, [Incoming("x", {"code": CODE, "status": "processing"})], NOW, complete=False)
    assert {e.field for _, e in plan.errors} >= {"procedure_code", "phone", "received_at", "due_at"}


def test_partial_push_for_a_known_dossier():
    stored = dossier()
    plan = plan_changes({CODE: stored}, [Incoming("x", {"code": CODE, "status": "need_supplement",
                                                         "note": "bản sao sổ hộ khẩu"})], NOW, complete=False)
    (change,) = plan.changes
    assert change.after.status is DossierStatus.NEED_SUPPLEMENT and change.after.phone == stored.phone
