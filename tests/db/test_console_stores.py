"""What the staff console writes through the stores: audit entries in the same transaction as the
change, apologies for late dossiers, the late list, finding by code, the feedback inbox and contact reveal.

Each test runs on SQLite and on PostgreSQL (`engine` in conftest).
"""

from __future__ import annotations

import pytest

from bot.core.dossiers.planning import Incoming
from bot.core.feedback import FeedbackError
from bot.db import audit_store, feedback_store
from bot.db.audit_store import AuditStore
from bot.db.dossier_store import DossierStore
from bot.db.feedback_store import FeedbackStore
from bot.db.outbox_store import OutboxStore
from tests.core.dossiers.samples import CODE, row
from tests.core.times import vn

NOW = vn(2025, 3, 20, 10, 0)  # the sample dossier was due 19 March: late
OTHER = "000.00.12.H12-250312-0043"


@pytest.fixture
def stores(engine):
    dossiers = DossierStore(engine, clock=lambda: NOW)
    dossiers.apply([Incoming("Dòng 2", row()), Incoming("Dòng 3", row(code=OTHER, due_at="2025-03-30"))],
                   "import:a.csv", now=vn(2025, 3, 12, 9, 0))
    return dossiers, FeedbackStore(engine, clock=lambda: NOW), AuditStore(engine), OutboxStore(engine, clock=lambda: NOW)


def test_a_console_status_change_is_audited_with_the_person_and_masks_the_phone(stores):
    dossiers, _, audit, _ = stores
    plan = dossiers.set_status(CODE, "need_supplement", note="bản sao giấy khai sinh", source="console:canbo1",
                               actor="canbo1", now=NOW)
    assert not plan.errors
    entries = {e.field: e for e in audit.entries()}
    assert entries["trạng thái"].old == "Đang xử lý" and entries["trạng thái"].new == "Cần bổ sung"
    assert entries["ghi chú"].new == "bản sao giấy khai sinh"
    assert all(e.actor == "canbo1" and e.object == CODE and e.action == "dossier_update" for e in entries.values())
    assert dossiers.history(CODE)[-1].source == "console:canbo1"
    dossiers.set_status(CODE, "need_supplement", note="0912345678", actor="canbo1", now=NOW)
    dossiers.apply([Incoming("Dòng 2", row(phone="0987654321", updated_at="2025-03-20T11:00"))], "x", actor="canbo1",
                   now=NOW)
    phone = [e for e in audit.entries() if e.field == "số điện thoại"][0]
    assert phone.old == "*******678" and phone.new == "*******321"


def test_a_change_whose_audit_entry_fails_is_not_written(stores, monkeypatch):
    dossiers, _, audit, _ = stores

    def broken(*args, **kwargs):
        raise RuntimeError("audit table unavailable")

    monkeypatch.setattr("bot.db.dossier_store.record_audit", broken)
    with pytest.raises(RuntimeError):
        dossiers.set_status(CODE, "rejected", actor="canbo1", now=NOW)
    assert dossiers.get(CODE).status.value == "processing" and audit.entries() == []


def test_the_late_list_and_an_apology_with_its_notification(stores):
    dossiers, _, audit, outbox = stores
    dossiers.subscribe(CODE, "zalo:9", "zalo", "9", now=NOW)
    (late,) = dossiers.late(NOW)
    assert late.dossier.code == CODE and late.apology is None
    not_late = dossiers.send_apology(OTHER, "2025-04-02", actor="canbo1", sent_by="Người canbo1", now=NOW)
    assert "chưa trễ hạn" in not_late.errors[0][1].message
    past = dossiers.send_apology(CODE, "2025-03-20", actor="canbo1", sent_by="Người canbo1", now=NOW)
    assert "sau hôm nay" in past.errors[0][1].message
    bad = dossiers.send_apology(CODE, "ngày mai", actor="canbo1", sent_by="Người canbo1", now=NOW)
    assert bad.errors[0][1].field == "due_at"
    assert outbox.all() == [] and audit.entries() == [] and dossiers.apologies(CODE) == []

    plan = dossiers.send_apology(CODE, "2025-03-27", actor="canbo1", sent_by="Người canbo1",
                                 reason="chờ xác minh của Công an xã", now=NOW)
    assert not plan.errors and plan.notifications == 1
    (apology,) = dossiers.apologies(CODE)
    assert (apology.sent_by, apology.missed_due_at, apology.new_due_at) == ("Người canbo1", vn(2025, 3, 19),
                                                                           vn(2025, 3, 27))
    (late,) = dossiers.late(NOW)  # still late (the missed appointment is kept), now with its apology
    assert late.apology == apology and late.dossier.missed_due_at == vn(2025, 3, 19)
    (message,) = outbox.all()
    assert message.recipient_id == "9" and "xin lỗi" in message.text and "27/03/2025" in message.text
    assert "Công an xã" in message.text
    assert sorted((e.action, e.field) for e in audit.entries()) == [
        ("dossier_apology", "thư xin lỗi"), ("dossier_update", "ngày hẹn trả"), ("dossier_update", "ngày hẹn đã lỡ")]


def test_find_by_whole_or_partial_code(stores):
    dossiers, *_ = stores
    assert [d.code for _, d in dossiers.find("000 00 12 h12 250312 0042")] == [CODE]
    assert {d.code for _, d in dossiers.find("250312")} == {CODE, OTHER}
    assert dossiers.find("%_%") == [] and dossiers.find("12") == []
    dossier_id = dossiers.find(CODE)[0][0]
    assert dossiers.by_id(dossier_id).code == CODE and dossiers.by_id(dossier_id + 100) is None


def test_the_inbox_pages_and_counts(stores):
    _, feedback, _, _ = stores
    for i in range(5):
        feedback.create(sender_id=f"rest-{i}", channel="rest", content=f"Phản ánh số {i}", now=NOW)
    feedback.answer("PAKN-20250320-0002", "Đã chuyển bộ phận xử lý.", actor="canbo1")
    assert feedback.count() == 5 and feedback.count("received") == 4 and feedback.count("answered") == 1
    assert [t.content for t in feedback.list(limit=2, offset=2)] == ["Phản ánh số 2", "Phản ánh số 1"]


def test_an_answer_is_audited_in_its_transaction(stores, monkeypatch):
    _, feedback, audit, _ = stores
    ticket = feedback.create(sender_id="telegram:5", channel="telegram", content="Chờ lâu quá", now=NOW).ticket
    feedback.answer(ticket, "Xin lỗi bạn, chúng tôi sẽ nhắc bộ phận xử lý.", actor="canbo1")
    (entry,) = audit.entries()
    assert (entry.actor, entry.action, entry.object, entry.old) == ("canbo1", "feedback_answer", ticket, None)
    monkeypatch.setattr(feedback_store, "record_audit", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("x")))
    with pytest.raises(RuntimeError):
        feedback.answer(ticket, "Câu trả lời khác", actor="canbo1")
    assert feedback.get(ticket).answer.startswith("Xin lỗi bạn")


def test_a_contact_is_revealed_only_after_its_audit_entry_is_stored(stores, monkeypatch):
    _, feedback, audit, _ = stores
    ticket = feedback.create(sender_id="rest-1", channel="rest", content="Cán bộ hẹn sai ngày",
                             contact="0912345678", now=NOW).ticket
    seen = []
    real = audit_store.record

    def spy(session, actor, changes, at):
        real(session, actor, changes, at)
        seen.append(list(changes))

    monkeypatch.setattr(feedback_store, "record_audit", spy)
    assert feedback.reveal_contact(ticket, actor="canbo1", reason="gọi lại hỏi thêm") == "0912345678"
    assert seen and seen[0][0].action == "contact_reveal"
    (entry,) = audit.entries()
    assert (entry.actor, entry.object, entry.reason) == ("canbo1", ticket, "gọi lại hỏi thêm")
    assert "0912345678" not in f"{entry.old}{entry.new}{entry.reason}"

    monkeypatch.setattr(feedback_store, "record_audit", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("x")))
    with pytest.raises(RuntimeError):
        feedback.reveal_contact(ticket, actor="canbo1", reason="gọi lại hỏi thêm")
    with pytest.raises(FeedbackError):
        feedback.reveal_contact("PAKN-20250320-0099", actor="canbo1", reason="gọi lại hỏi thêm")
