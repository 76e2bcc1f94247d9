"""Dossier rules: codes, phones, statuses, lateness, validation and planning of staff input."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.core.dossiers import (
    CREATE,
    STALE,
    UNCHANGED,
    UPDATE,
    Dossier,
    DossierStatus,
    Incoming,
    Place,
    ReturnMethod,
    demo_dossiers,
    find_code,
    is_late,
    last4_from_text,
    mask_phone,
    new_appointment,
    next_step,
    normalize_code,
    normalize_phone,
    notification_text,
    parse_datetime,
    parse_fields,
    phone_matches,
    plan_changes,
    status_report,
    STATUS_LABELS,
)

CODE = "000.00.12.H12-250312-0042"
NOW = dt.datetime(2025, 3, 20, 10, 0)


def dossier(**over) -> Dossier:
    base = dict(
        code=CODE, procedure_code="1.001193", applicant_name="Nguyễn Văn A", phone="0912345678",
        status=DossierStatus.PROCESSING, received_at=dt.datetime(2025, 3, 12, 8, 0),
        due_at=dt.datetime(2025, 3, 19), updated_at=dt.datetime(2025, 3, 12, 8, 0),
    )
    base.update(over)
    return Dossier(**base)


def row(**over) -> dict:
    base = dict(code=CODE, procedure_code="1.001193", applicant_name="Nguyễn Văn A", phone="0912 345 678",
                status="processing", received_at="2025-03-12T08:00", due_at="2025-03-19",
                updated_at="2025-03-12T08:00", unit="Phòng Tư pháp", note="")
    base.update(over)
    return base


@pytest.mark.parametrize("typed", [
    CODE, "000.00.12.h12-250312-0042", "000 00 12 H12 250312 0042", "0000012H122503120042",
    "000.00.12.H12 - 250312 - 0042", " 000-00-12-H12-250312-0042 ",
])
def test_codes_are_accepted_with_spaces_lower_case_or_missing_punctuation(typed):
    assert normalize_code(typed) == CODE


@pytest.mark.parametrize("typed", [
    "", None, "abc", "000.00.12.H12-250312-004", "000.00.12.H12-250312-00421",
    "'; DROP TABLE dossiers; --", "000.00.12.H12-250312-0042' OR '1'='1", "x" * 5000,
])
def test_other_text_is_not_a_code(typed):
    assert normalize_code(typed) is None


def test_find_code_in_a_sentence():
    assert find_code("tra cứu hồ sơ 000.00.12.h12-250312-0042 giúp tôi") == CODE
    assert find_code("mã của tôi là 000 00 12 H12 250312 0042") == CODE
    assert find_code("tra cứu hồ sơ") is None
    assert find_code("số 1234") is None


def test_phones_are_normalized_and_masked():
    assert normalize_phone("0912 345 678") == "0912345678"
    assert normalize_phone("+84 912 345 678") == "0912345678"
    assert normalize_phone("84912345678") == "0912345678"
    assert normalize_phone("12345") is None
    assert normalize_phone("09123abc78") is None
    assert mask_phone("0912345678") == "*******678"
    assert "0912345678" not in mask_phone("0912345678", keep=4)


def test_last4_from_what_citizens_type():
    assert last4_from_text("5678") == "5678"
    assert last4_from_text("4 số cuối là 56 78") == "5678"
    assert last4_from_text("0912345678") == "5678"
    assert last4_from_text("123") is None
    assert last4_from_text("12345") is None
    assert last4_from_text("không nhớ") is None


def test_phone_match_needs_exactly_the_last_four_digits():
    assert phone_matches("0912345678", "5678")
    assert not phone_matches("0912345678", "5679")
    assert not phone_matches("0912345678", None)
    assert not phone_matches("0912345678", "678")


def test_every_status_has_a_vietnamese_label_and_a_next_step():
    place = Place(desk="quầy số 1", address="số 1 đường A")
    for status in DossierStatus:
        assert STATUS_LABELS[status]
        assert next_step(dossier(status=status), place)


def test_next_step_says_what_is_missing_and_where_to_collect():
    assert "bản sao giấy khai sinh" in next_step(dossier(status=DossierStatus.NEED_SUPPLEMENT,
                                                         note="bản sao giấy khai sinh"))
    ready = next_step(dossier(status=DossierStatus.RESULT_READY), Place("quầy số 3", "số 1 đường A"))
    assert "quầy số 3" in ready and "căn cước" in ready and "giấy tiếp nhận" in ready
    by_post = next_step(dossier(status=DossierStatus.RESULT_READY, return_method=ReturnMethod.POST))
    assert "bưu điện" in by_post


def test_late_means_past_due_and_not_result_ready_or_returned():
    assert is_late(dossier(), NOW)
    assert not is_late(dossier(due_at=dt.datetime(2025, 3, 20)), NOW), "the appointment day itself is not late"
    assert not is_late(dossier(due_at=dt.datetime(2025, 3, 25)), NOW)
    assert not is_late(dossier(status=DossierStatus.RESULT_READY), NOW)
    assert not is_late(dossier(status=DossierStatus.RETURNED), NOW)
    assert is_late(dossier(status=DossierStatus.NEED_SUPPLEMENT), NOW)
    assert is_late(dossier(due_at=dt.datetime(2025, 3, 20, 9, 0)), NOW), "a timed appointment passes at its time"


def test_rejected_before_the_appointment_is_not_late():
    rejected = dossier(status=DossierStatus.REJECTED, finished_at=dt.datetime(2025, 3, 15))
    assert not is_late(rejected, NOW)
    assert is_late(dossier(status=DossierStatus.REJECTED, finished_at=dt.datetime(2025, 3, 20)), NOW)


def test_a_new_appointment_after_a_missed_one_keeps_it_late():
    before = dossier()
    plan = plan_changes({CODE: before}, [Incoming("x", {"code": CODE, "due_at": "2025-03-25"})], NOW, complete=False)
    (change,) = plan.changes
    assert change.after.missed_due_at == dt.datetime(2025, 3, 19)
    assert is_late(change.after, NOW)
    assert new_appointment(change.after) == dt.datetime(2025, 3, 25)
    report = status_report(change.after, "Đăng ký khai sinh", NOW)
    assert report.late and report.missed_due == "19/03/2025" and report.new_due == "25/03/2025"


def test_moving_an_appointment_before_it_passes_is_not_lateness():
    before = dossier(due_at=dt.datetime(2025, 3, 25))
    plan = plan_changes({CODE: before}, [Incoming("x", {"code": CODE, "due_at": "2025-03-28"})], NOW, complete=False)
    assert plan.changes[0].after.missed_due_at is None
    assert not is_late(plan.changes[0].after, NOW)


def test_status_report_for_an_on_time_dossier():
    report = status_report(dossier(due_at=dt.datetime(2025, 3, 25)), "Đăng ký khai sinh", NOW)
    assert report.procedure == "Đăng ký khai sinh (mã 1.001193)"
    assert report.status == "Đang xử lý" and report.received == "12/03/2025" and report.due == "25/03/2025"
    assert not report.late and report.new_due is None


def test_notification_never_shows_the_phone():
    text = notification_text(dossier(status=DossierStatus.RESULT_READY), "Đăng ký khai sinh")
    assert CODE in text and "Đã có kết quả" in text and "5678" not in text


def test_dates_are_iso_8601_and_offsets_become_vietnam_time():
    assert parse_datetime("2025-03-12") == dt.datetime(2025, 3, 12)
    assert parse_datetime("2025-03-12T08:30") == dt.datetime(2025, 3, 12, 8, 30)
    assert parse_datetime("2025-03-12T01:30:00Z") == dt.datetime(2025, 3, 12, 8, 30)
    assert parse_datetime("12/03/2025") is None
    assert parse_datetime("2025-02-30") is None


def test_parse_fields_names_each_bad_field():
    values, errors = parse_fields(row(status="done", due_at="19/03/2025", phone="12"))
    assert {e.field for e in errors} == {"status", "due_at", "phone"}
    assert "received, processing" in next(e.message for e in errors if e.field == "status")


def test_a_huge_note_is_an_error_not_a_crash():
    _, errors = parse_fields(row(note="x" * 2_000_000))
    assert [e.field for e in errors] == ["note"]


def test_unknown_columns_are_errors():
    _, errors = parse_fields({**row(), "password": "x"})
    assert [e.field for e in errors] == ["password"]


def test_plan_creates_then_reimport_changes_nothing():
    plan = plan_changes({}, [Incoming("dòng 2", row())], NOW)
    assert [c.kind for c in plan.changes] == [CREATE]
    stored = plan.changes[0].after
    assert stored.phone == "0912345678" and stored.unit == "Phòng Tư pháp" and stored.note is None
    again = plan_changes({CODE: stored}, [Incoming("dòng 2", row())], NOW)
    assert [c.kind for c in again.changes] == [UNCHANGED] and not again.writes


def test_plan_update_and_stale():
    stored = plan_changes({}, [Incoming("a", row())], NOW).changes[0].after
    newer = plan_changes({CODE: stored}, [Incoming("a", row(status="result_ready", updated_at="2025-03-18T09:00"))], NOW)
    (change,) = newer.changes
    assert change.kind == UPDATE and change.status_changed
    assert change.after.finished_at == dt.datetime(2025, 3, 18, 9, 0)
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


def test_demo_set_has_every_status_and_late_ones():
    today = dt.date(2025, 3, 20)
    demo = demo_dossiers(today, ["1.001193", "3.000347"])
    now = dt.datetime.combine(today, dt.time(9, 0))
    assert {d.status for d in demo} == set(DossierStatus)
    assert sum(is_late(d, now) for d in demo) >= 2
    assert any(new_appointment(d) for d in demo if is_late(d, now))
    assert len({d.code for d in demo}) == len(demo)
    assert all(normalize_code(d.code) == d.code for d in demo)
