"""What citizens read: a label and a next step for every status, reports and notifications."""

from __future__ import annotations

from bot.core.dossiers.status import DossierStatus, ReturnMethod, STATUS_LABELS
from bot.core.dossiers.wording import next_step, notification_text, status_report
from bot.core.office import Place
from tests.core.dossiers.samples import CODE, NOW, dossier
from tests.core.times import vn


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


def test_status_report_for_an_on_time_dossier():
    report = status_report(dossier(due_at=vn(2025, 3, 25)), "Đăng ký khai sinh", NOW)
    assert report.procedure == "Đăng ký khai sinh (mã 1.001193)"
    assert report.status == "Đang xử lý" and report.received == "12/03/2025" and report.due == "25/03/2025"
    assert not report.late and report.new_due is None


def test_notification_never_shows_the_phone():
    text = notification_text(dossier(status=DossierStatus.RESULT_READY), "Đăng ký khai sinh")
    assert CODE in text and "Đã có kết quả" in text and "5678" not in text
