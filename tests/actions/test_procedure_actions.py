"""Procedure actions with recorded trackers: which procedure, which aspect, paging, rating."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from bot.actions.fallback import ActionLowConfidence
from bot.actions.procedures import ActionAnswerProcedure, ActionChooseProcedure, ActionDeny, ActionShowMore
from tests.actions.trackers import domain, responses, slot_events, tracker  # noqa: F401


async def run(action, t, domain):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, t, domain)
    return dispatcher, slot_events(events)


async def test_documents_question_answers_with_code_and_date(app_services, domain):
    d, slots = await run(ActionAnswerProcedure(), tracker("lam giay khai sinh can giay to gi", "ask_documents"), domain)
    first = d.messages[0]
    assert "1.001193" in first["text"] and "thông tin kiểm tra ngày" in first["text"]
    assert slots["procedure_code"] == "1.001193"
    assert len(first["text"].split()) <= 80


async def test_follow_up_keeps_the_procedure(app_services, domain):
    t = tracker("thế lệ phí thì sao", "ask_fee", slots={"procedure_code": "1.001193"})
    d, slots = await run(ActionAnswerProcedure(), t, domain)
    assert "1.001193" in d.messages[0]["text"] and "lệ phí" in d.messages[0]["text"].lower()
    assert slots["procedure_code"] == "1.001193"


async def test_follow_up_naming_another_procedure_switches(app_services, domain):
    t = tracker("còn đăng ký tạm trú thì nộp ở đâu", "ask_location", slots={"procedure_code": "1.001193"})
    d, slots = await run(ActionAnswerProcedure(), t, domain)
    assert slots["procedure_code"] == "1.004194"


async def test_unknown_procedure_is_said_plainly(app_services, domain):
    d, slots = await run(ActionAnswerProcedure(), tracker("xin visa đi Mỹ cần gì", "ask_documents"), domain)
    assert responses(d) == ["utter_no_match"]
    assert "procedure_code" not in slots


async def test_close_candidates_offer_choices_then_deny_moves_on(app_services, domain):
    d, slots = await run(ActionAnswerProcedure(), tracker("căn cước", "ask_fee"), domain)
    assert responses(d) == ["utter_choose_procedure"]
    buttons = d.messages[0]["buttons"]
    assert 2 <= len(buttons) <= 4 and buttons[-1]["payload"] == "/deny"
    codes, aspect = slots["candidate_codes"], slots["pending_aspect"]
    assert aspect == "fees" and len(codes) >= 2
    t = tracker("không phải", "deny", slots={"candidate_codes": codes, "candidate_offset": 0.0, "pending_aspect": aspect})
    d, slots = await run(ActionDeny(), t, domain)
    if len(codes) > 3:
        assert responses(d) == ["utter_choose_procedure"] and slots["candidate_offset"] == 3.0
    else:
        assert responses(d) == ["utter_no_more_candidates"]


async def test_choosing_a_candidate_answers_the_pending_aspect(app_services, domain):
    t = tracker('/choose_procedure{"procedure_code": "1.014061"}', "choose_procedure",
                entities=[{"entity": "procedure_code", "value": "1.014061"}], slots={"pending_aspect": "fees"})
    d, slots = await run(ActionChooseProcedure(), t, domain)
    assert "1.014061" in d.messages[0]["text"]
    assert slots["procedure_code"] == "1.014061" and slots["pending_aspect"] is None


async def test_no_rating_after_the_last_page_only_the_other_aspects(app_services, domain):
    d, slots = await run(ActionAnswerProcedure(), tracker("làm khai sinh cần giấy tờ gì", "ask_documents"), domain)
    assert d.messages[0]["buttons"] == [{"title": "Xem thêm", "payload": "/show_more"}]
    pages = slots["pending_pages"]
    seen = 0
    while pages:
        t = tracker("/show_more", "show_more", slots={"pending_pages": pages, "procedure_code": "1.001193"})
        d, slots = await run(ActionShowMore(), t, domain)
        pages = slots["pending_pages"]
        seen += 1
        assert seen < 10
    assert "utter_ask_rating" not in responses(d) and "rating_offered" not in slots
    # the last reply's buttons, which a typed "1" picks, are the aspects
    assert d.messages[-1]["buttons"][0]["payload"].startswith("/ask_")
    assert slots["rating_topic"] == "1.001193"


async def test_unverified_aspect_is_not_stated(app_services, domain):
    # 2.001583 lists its fees as unverified in the catalog.
    t = tracker("lệ phí thành lập công ty tnhh một thành viên", "ask_fee")
    d, slots = await run(ActionAnswerProcedure(), t, domain)
    text = d.messages[0]["text"]
    assert "chưa được kiểm chứng" in text and "hỏi trực tiếp" in text


async def test_low_confidence_asks_to_rephrase_then_offers_a_person(app_services, domain):
    d, _ = await run(ActionLowConfidence(), tracker("asdkj", "nlu_fallback"), domain)
    assert responses(d) == ["utter_ask_rephrase"]
    t = tracker("qwe", "nlu_fallback")
    t.events = [
        {"event": "user", "text": "asdkj"},
        {"event": "action", "name": "action_low_confidence"},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "qwe"},
    ]
    d, _ = await run(ActionLowConfidence(), t, domain)
    assert responses(d) == ["utter_offer_human"]


async def test_a_badly_cut_entity_does_not_override_a_clear_message(app_services, domain):
    # DIET may tag "gplx mất" in "đổi gplx mất bao lâu"; "mất" alone points to cấp lại.
    t = tracker("đổi gplx mất bao lâu", "ask_processing_time", entities=[{"entity": "procedure", "value": "gplx mất"}])
    d, slots = await run(ActionAnswerProcedure(), t, domain)
    assert slots["procedure_code"] == "3.000347"
