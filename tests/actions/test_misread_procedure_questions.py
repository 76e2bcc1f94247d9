"""Procedure questions the NLU took for out of scope or for feedback reach the procedure
search (issue 9 §3); real feedback and real small talk keep their flows. With the whole
reference imported, the issue's done-when questions get their answers."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.feedback import ValidateFeedbackForm
from bot.actions.procedures import ActionAnswerProcedure, ActionOutOfScope
from bot.cli import main
from tests.actions.trackers import domain, responses, slot_events, tracker  # noqa: F401
from tests.conftest import REFERENCE_DIR
from tests.core.portal_records import portal_record, write_export

DVCQG = REFERENCE_DIR / "dvcqg"


async def run(action, t, domain):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, t, domain)
    return dispatcher, events


@pytest.fixture
def lawyers(app_services, tmp_path):
    """Two published records of the lawyers' field, imported from a small export."""
    export = write_export(tmp_path, [
        portal_record(code="9.000101", name="Đăng ký hành nghề luật sư với tư cách cá nhân"),
        portal_record(code="9.000102", name="Cấp giấy xác nhận nuôi ong mật"),
    ])
    assert main(["procedures", "import-portal", str(export), "--collected-on", "2026-03-02"],
                services=app_services) == 0
    return app_services


async def test_out_of_scope_procedure_question_is_answered(lawyers, domain):
    d, events = await run(ActionOutOfScope(), tracker("đăng ký hành nghề luật sư", "out_of_scope"), domain)
    assert slot_events(events)["procedure_code"] == "9.000101"
    assert "Theo Cổng Dịch vụ công quốc gia" in d.messages[0]["text"]


async def test_out_of_scope_procedure_request_not_in_the_catalog_is_not_found(lawyers, domain):
    d, events = await run(ActionOutOfScope(), tracker("đăng ký bản quyền tác giả", "out_of_scope"), domain)
    assert responses(d) in (["utter_no_match"], ["utter_choose_procedure"])
    assert "procedure_code" not in slot_events(events)


@pytest.mark.parametrize("text", ["giá vàng hôm nay", "kể chuyện cười đi", "bạn bao nhiêu tuổi"])
async def test_real_small_talk_stays_out_of_scope(lawyers, domain, text):
    d, events = await run(ActionOutOfScope(), tracker(text, "out_of_scope"), domain)
    assert responses(d) == ["utter_out_of_scope"] and events == []


async def test_feedback_form_answers_a_procedure_question_and_ends(lawyers, domain):
    d, events = await run(ValidateFeedbackForm(), tracker("đăng ký hành nghề luật sư", "submit_feedback"), domain)
    slots = slot_events(events)
    assert slots["procedure_code"] == "9.000101" and slots["requested_slot"] is None
    assert "utter_ask_feedback_content" not in responses(d)


async def test_feedback_form_never_answers_an_unknown_procedure(lawyers, domain):
    d, events = await run(ValidateFeedbackForm(), tracker("đăng ký nhãn hiệu cho sản phẩm", "submit_feedback"), domain)
    slots = slot_events(events)
    assert responses(d) in (["utter_no_match"], ["utter_choose_procedure"]) and slots["requested_slot"] is None
    assert "procedure_code" not in slots


@pytest.mark.parametrize("text", ["tôi muốn phản ánh việc làm căn cước bị chậm", "phản ánh kiến nghị",
                                  "cán bộ đăng ký kết hôn đòi tiền ngoài quy định", "tôi muốn góp ý"])
async def test_real_feedback_keeps_the_form(lawyers, domain, text):
    d, events = await run(ValidateFeedbackForm(), tracker(text, "submit_feedback"), domain)
    assert "requested_slot" not in slot_events(events) and "procedure_code" not in slot_events(events)
    assert responses(d) == []


async def test_published_candidates_are_offered_with_their_names(lawyers, domain):
    """A choice among published records shows their names as buttons (no crash)."""
    d, events = await run(ActionAnswerProcedure(), tracker("nuôi ong", "ask_procedure"), domain)
    assert responses(d) in (["utter_choose_procedure"], [None])
    if responses(d) == ["utter_choose_procedure"]:
        assert any(b["title"] == "Cấp giấy xác nhận nuôi ong mật" for b in d.messages[0]["buttons"])


@pytest.mark.reference
@pytest.mark.skipif(not DVCQG.is_dir(), reason="../shared/reference/dvcqg is absent")
async def test_done_when_questions_over_the_whole_reference(app_services, domain):
    assert main(["procedures", "import-portal", str(DVCQG), "--collected-on", "2026-11-20"],
                services=app_services) == 0

    d, events = await run(ActionAnswerProcedure(), tracker("thu tuc nhan con nuoi", "ask_procedure"), domain)
    assert slot_events(events)["procedure_code"] == "2.001263"
    assert "Theo Cổng Dịch vụ công quốc gia, thông tin lấy ngày 20/11/2026." in d.messages[0]["text"]

    d, events = await run(ActionAnswerProcedure(), tracker("cấp giấy phép nhập khẩu thuốc", "ask_procedure"), domain)
    assert slot_events(events).get("procedure_code") != "1.004222"
    assert all("1.004222" not in b.get("payload", "") for m in d.messages for b in m.get("buttons") or [])

    d, events = await run(ActionAnswerProcedure(), tracker("lam the bhyt cho tre em duoi 6 tuoi", "ask_procedure"),
                          domain)
    assert slot_events(events)["procedure_code"] == "2.000986"

    # The table: none of these is answered with the procedure it named as wrong.
    wrong = {
        "thủ tục xin giấy phép bay flycam quay phim đám cưới": "1.000894",
        "dang ky nghia vu quan su lan dau": "1.013978",
        "thu tuc ly hon thuan tinh": "1.010038",
        "thu tuc thanh lap cong ty co phan": "2.002029",
        "cấp giấy phép lái xe quốc tế": "3.000347",
        "thủ tục thi bằng lái xe máy lần đầu": "3.000348",
        "đăng ký thành lập hợp tác xã": "1.001612",
    }
    for text, code in wrong.items():
        _, events = await run(ActionAnswerProcedure(), tracker(text, "ask_procedure"), domain)
        assert slot_events(events).get("procedure_code") not in (code, "3.000347"), text
    _, events = await run(ActionOutOfScope(), tracker("đăng ký hành nghề luật sư", "out_of_scope"), domain)
    assert slot_events(events).get("procedure_code") in (None, "1.002153")
