"""The services' clock is the stores' only time source: a fixed clock fixes every stored time."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.core.dossiers.planning import Incoming
from tests.core.times import utc, vn

NOW = vn(2025, 3, 20, 10, 0)
NOW_UTC = utc(2025, 3, 20, 3, 0)  # the same instant, as the database gives it back
CODE = "000.00.12.H12-250312-0042"


@pytest.fixture
def clock():
    return lambda: NOW


def test_dossier_writes_history_and_notifications_at_the_clock_time(services):
    dossier = dict(code=CODE, procedure_code="1.001193", applicant_name="Nguyễn Văn A", phone="0912345678",
                   status="processing", received_at="2025-03-12T08:00", due_at="2025-03-25")
    services.dossiers.apply([Incoming("dòng 2", dossier)], "import")
    assert services.dossiers.subscribe(CODE, "telegram:5", "telegram", "5")
    services.dossiers.set_status(CODE, "result_ready")
    assert [h.changed_at for h in services.dossiers.history(CODE)] == [NOW, NOW]
    assert services.dossiers.get(CODE).updated_at == NOW
    (message,) = services.outbox.due("telegram")
    assert message.created_at == message.next_attempt_at == NOW_UTC


def test_feedback_ratings_and_outbox_use_the_clock(services):
    ticket = services.feedback.create(sender_id="zalo:7", channel="zalo", content="Cán bộ hẹn trả chậm")
    assert ticket.ticket == "PAKN-20250320-0001" and ticket.created_at == NOW
    answered, queued = services.feedback.answer(ticket.ticket, "Đã nhắc nhở cán bộ.")
    assert queued and answered.answered_at == NOW
    (message,) = services.outbox.due("zalo")
    assert message.created_at == NOW_UTC
    services.outbox.mark_sent(message.id)
    assert services.outbox.get(message.id).sent_at == NOW_UTC
    assert services.outbox.enqueue("telegram", "1", "Xin chào", "k1")
    assert services.outbox.all()[-1].created_at == NOW_UTC


def test_a_message_queued_later_than_the_clock_is_not_due_yet(services):
    services.outbox.enqueue("telegram", "1", "Xin chào", "k1")
    assert services.outbox.due("telegram", now=NOW_UTC - dt.timedelta(seconds=1)) == []
    assert len(services.outbox.due("telegram")) == 1


async def test_a_delivery_round_takes_its_time_from_the_outbox_clock(services):
    from bot.channels.outbox_delivery import Failure, deliver_due

    services.outbox.enqueue("telegram", "1", "Xin chào", "k1")

    async def send(message, piece):
        raise ConnectionError("mạng chập chờn")

    assert await deliver_due(services.outbox, "telegram", pieces=lambda m: [m.text], send=send,
                             failure=lambda m, exc: Failure(str(exc), dt.timedelta(minutes=5))) == (0, 1)
    assert services.outbox.all()[0].next_attempt_at == NOW_UTC + dt.timedelta(minutes=5)
