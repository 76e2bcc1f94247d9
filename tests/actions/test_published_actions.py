"""Procedure actions over both tiers: a published record is answered with its source, date and link."""

from __future__ import annotations

import shutil

import pytest
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.procedures import ActionAnswerProcedure, ActionChooseProcedure
from bot.cli import main
from tests.actions.trackers import domain, slot_events, tracker  # noqa: F401
from tests.conftest import REFERENCE_DIR
from tests.core.portal_records import portal_record, write_export

DVCQG = REFERENCE_DIR / "dvcqg"


async def run(action, t, domain):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, t, domain)
    return dispatcher, slot_events(events)


def _whole_answer(dispatcher, slots) -> str:
    """The page sent and the pages kept for "Xem thêm"."""
    return "\n".join([dispatcher.messages[0]["text"], *(slots.get("pending_pages") or [])])


async def test_a_published_record_is_answered_with_its_source_date_and_link(app_services, domain, tmp_path):
    export = write_export(tmp_path, [portal_record(code="9.000001", name="Cấp giấy xác nhận nuôi ong mật")])
    assert main(["procedures", "import-portal", str(export), "--collected-on", "2026-03-02"],
                services=app_services) == 0
    d, slots = await run(ActionAnswerProcedure(), tracker("cấp giấy xác nhận nuôi ong mật hết bao nhiêu tiền",
                                                          "ask_fee"), domain)
    assert slots["procedure_code"] == "9.000001"
    text = _whole_answer(d, slots)
    assert "Theo Cổng Dịch vụ công quốc gia, thông tin lấy ngày 02/03/2026." in d.messages[0]["text"]
    assert "https://dichvucong.gov.vn/thu-tuc-hanh-chinh/test-9.000001" in text
    assert "Trực tiếp: 50.000 đồng" in text
    # A curated answer is unchanged.
    d, slots = await run(ActionAnswerProcedure(), tracker("lam giay khai sinh can giay to gi", "ask_documents"), domain)
    assert slots["procedure_code"] == "1.001193" and "thông tin kiểm tra ngày" in d.messages[0]["text"]


@pytest.mark.reference
@pytest.mark.skipif(not DVCQG.is_dir(), reason="../shared/reference/dvcqg is absent")
async def test_adoption_is_answered_from_the_portal_record(app_services, domain, tmp_path):
    export = tmp_path / "export"
    export.mkdir()
    for code in ("2.001263", "1.001193"):
        shutil.copy(DVCQG / "bo-tu-phap" / f"{code}.json", export)
    assert main(["procedures", "import-portal", str(export), "--collected-on", "2026-11-20"],
                services=app_services) == 0
    guide = app_services.guide()
    assert guide.get("2.001263").tier == "published" and guide.get("1.001193").tier == "curated"

    t = tracker("lệ phí đăng ký việc nuôi con nuôi trong nước", "ask_fee")
    d, slots = await run(ActionAnswerProcedure(), t, domain)
    assert slots["procedure_code"] == "2.001263"
    text = _whole_answer(d, slots)
    assert d.messages[0]["text"].startswith("Đăng ký việc nuôi con nuôi trong nước (mã 2.001263).")
    assert "Theo Cổng Dịch vụ công quốc gia, thông tin lấy ngày 20/11/2026." in d.messages[0]["text"]
    assert "Lệ phí: 400.000 đồng." in text
    assert "https://dichvucong.gov.vn/thu-tuc-hanh-chinh/" in text

    # Chosen from a button, for the time: the portal gives none, so none is stated.
    t = tracker("/choose_procedure", "choose_procedure", entities=[{"entity": "procedure_code", "value": "2.001263"}],
                slots={"pending_aspect": "processing_time"})
    d, slots = await run(ActionChooseProcedure(), t, domain)
    text = _whole_answer(d, slots)
    assert "Theo Cổng Dịch vụ công quốc gia, thông tin lấy ngày 20/11/2026." in text
    assert "không ghi rõ thời hạn" in text and "dichvucong.gov.vn" in text
