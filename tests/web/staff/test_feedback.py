"""Feedback pages: the inbox (new / answered, newest first, paged), a ticket, answering it (the citizen is
told on their channel), and revealing a contact only with a typed reason, audited before it is shown."""

from __future__ import annotations

import pytest

from bot.db import feedback_store
from tests.web.staff.conftest import csrf, logged_in

PHONE = "0912345678"


@pytest.fixture
def tickets(staff_services):
    store = staff_services.feedback
    made = [store.create(sender_id=f"rest-{i}", channel="rest", content=f"Phản ánh thứ {i}") for i in range(23)]
    pushed = store.create(sender_id="telegram:42", channel="telegram", contact=PHONE,
                          content="Cán bộ hẹn trả <script>alert(1)</script> mà chưa có")
    return [t.ticket for t in made], pushed.ticket


async def test_feedback_pages_need_a_login_and_trainers_see_none(console, tickets):
    _, ticket = tickets
    for path in ("/staff/feedback", f"/staff/feedback/{ticket}"):
        assert (await console.get(path, allow_redirects=False)).status == 303
    await logged_in(console, "hl1")
    for path in ("/staff/feedback", f"/staff/feedback/{ticket}"):
        response = await console.get(path)
        assert response.status == 403 and "Cán bộ hẹn trả" not in await response.text()
    token = await csrf(console, "/staff/")
    for action in ("answer", "reveal"):
        response = await console.post(f"/staff/feedback/{ticket}/{action}",
                                      data={"csrf": token, "answer": "Đã xử lý xong.", "reason": "gọi lại hỏi thêm"})
        assert response.status == 403 and PHONE not in await response.text()


async def test_the_inbox_is_newest_first_paged_and_masks_contacts(console, tickets):
    made, pushed = tickets
    await logged_in(console, "canbo1")
    first = await (await console.get("/staff/feedback")).text()
    assert "24 phiếu chưa trả lời" in first and "Trang 1/2" in first
    assert first.index(pushed) < first.index(made[22]) and made[0] not in first
    assert "*******678" in first and PHONE not in first and "<script>alert" not in first
    second = await (await console.get("/staff/feedback?page=2")).text()
    assert made[0] in second and pushed not in second
    for query in ("page=0", "page=999", "page=-3", "page=abc", "status=<b>", "status=answered&page=" + "9" * 50):
        response = await console.get(f"/staff/feedback?{query}")
        assert response.status == 200, query
    answered = await (await console.get("/staff/feedback?status=answered")).text()
    assert "Không có phiếu nào" in answered


async def test_answering_a_ticket_tells_the_citizen_on_their_channel(console, tickets, staff_services):
    _, ticket = tickets
    await logged_in(console, "canbo1")
    token = await csrf(console, f"/staff/feedback/{ticket}")
    response = await console.post(f"/staff/feedback/{ticket}/answer",
                                  data={"csrf": token, "answer": "Xin lỗi bạn, hồ sơ đã có kết quả hôm nay."})
    page = await response.text()
    assert response.status == 200 and "Đã lưu câu trả lời" in page and "qua kênh họ đã dùng" in page
    assert "Đã trả lời" in page
    (message,) = staff_services.outbox.due("telegram")
    assert message.recipient_id == "42" and ticket in message.text and "đã có kết quả" in message.text
    (entry,) = [e for e in staff_services.audit.entries() if e.action == "feedback_answer"]
    assert (entry.actor, entry.object) == ("canbo1", ticket)
    answered = await (await console.get("/staff/feedback?status=answered")).text()
    assert ticket in answered


@pytest.mark.parametrize("answer, error", [("", "đang trống"), ("   ", "đang trống"), ("x" * 2500, "dài quá")])
async def test_a_bad_answer_gets_a_sentence_and_changes_nothing(console, tickets, staff_services, answer, error):
    _, ticket = tickets
    await logged_in(console, "canbo1")
    token = await csrf(console, f"/staff/feedback/{ticket}")
    response = await console.post(f"/staff/feedback/{ticket}/answer", data={"csrf": token, "answer": answer})
    assert response.status == 200 and error in await response.text()
    assert staff_services.feedback.get(ticket).answer is None and staff_services.outbox.all() == []


async def test_unknown_tickets_are_404_pages(console, tickets):
    await logged_in(console, "canbo1")
    token = await csrf(console, "/staff/feedback")
    for ticket in ("PAKN-20260302-9999", "khong-phai-phieu", "PAKN-20261399-0001"):
        assert (await console.get(f"/staff/feedback/{ticket}")).status == 404
        response = await console.post(f"/staff/feedback/{ticket}/reveal", data={"csrf": token,
                                                                              "reason": "gọi lại hỏi thêm"})
        assert response.status == 404
    response = await console.post("/staff/feedback/PAKN-20260302-9999/answer", data={"csrf": token, "answer": "Được."})
    assert response.status == 404 and "Không tìm thấy" in await response.text()


async def test_the_contact_is_masked_and_revealed_only_with_a_reason(console, tickets, staff_services):
    _, ticket = tickets
    await logged_in(console, "canbo1")
    page = await (await console.get(f"/staff/feedback/{ticket}")).text()
    assert "*******678" in page and PHONE not in page
    token = await csrf(console, f"/staff/feedback/{ticket}")
    for reason in ("", "vì", "   cần    "):
        response = await console.post(f"/staff/feedback/{ticket}/reveal", data={"csrf": token, "reason": reason})
        assert response.status == 200
        assert "Cần ghi lý do" in (text := await response.text()) and PHONE not in text
    assert not [e for e in staff_services.audit.entries() if e.action == "contact_reveal"]
    response = await console.post(f"/staff/feedback/{ticket}/reveal",
                                  data={"csrf": token, "reason": "Gọi lại hỏi thêm về ngày hẹn"})
    assert PHONE in await response.text()
    (entry,) = [e for e in staff_services.audit.entries() if e.action == "contact_reveal"]
    assert (entry.actor, entry.object, entry.reason) == ("canbo1", ticket, "Gọi lại hỏi thêm về ngày hẹn")
    again = await (await console.get(f"/staff/feedback/{ticket}")).text()
    assert PHONE not in again  # revealing once shows it once, never in a later page or a URL


async def test_the_audit_entry_is_written_before_the_contact_is_shown(console, tickets, staff_services, monkeypatch):
    _, ticket = tickets
    await logged_in(console, "canbo1")
    token = await csrf(console, f"/staff/feedback/{ticket}")

    def audit_down(*args, **kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(feedback_store, "record_audit", audit_down)
    response = await console.post(f"/staff/feedback/{ticket}/reveal",
                                  data={"csrf": token, "reason": "Gọi lại hỏi thêm về ngày hẹn"})
    assert response.status == 500 and PHONE not in await response.text()
    monkeypatch.undo()

    seen_at_reveal = []
    real = staff_services.feedback.reveal_contact

    def spying(*args, **kwargs):
        contact = real(*args, **kwargs)
        seen_at_reveal.append([e.action for e in staff_services.audit.entries()])  # read from another session
        return contact

    monkeypatch.setattr(staff_services.feedback, "reveal_contact", spying)
    response = await console.post(f"/staff/feedback/{ticket}/reveal",
                                  data={"csrf": token, "reason": "Gọi lại hỏi thêm về ngày hẹn"})
    assert PHONE in await response.text()
    assert "contact_reveal" in seen_at_reveal[0]  # committed and visible before the page was made
