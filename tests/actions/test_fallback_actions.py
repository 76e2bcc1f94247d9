"""The low-confidence action with recorded trackers: half-understood questions get a next step."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from bot.actions.fallback import ActionLowConfidence, ActionOfferAspects
from bot.actions.procedures import popular_codes
from bot.actions.procedures import ActionChooseProcedure
from tests.actions.trackers import domain, responses, slot_events, tracker  # noqa: F401

KET_HON = "1.000894"


async def run(action, t, domain):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, t, domain)
    return dispatcher, slot_events(events)


async def test_a_recognised_procedure_is_named_with_its_aspects_as_buttons(app_services, domain):
    t = tracker("dang ky ket hon can gi", "nlu_fallback", entities=[{"entity": "procedure", "value": "ket hon"}])
    d, slots = await run(ActionLowConfidence(), t, domain)
    assert responses(d) == ["utter_ask_aspect"]
    assert d.messages[0]["procedure"] == "Đăng ký kết hôn"
    buttons = d.messages[0]["buttons"]
    assert len(buttons) == 7
    # "can gi" asked for the documents: they come first, so a typed "1" gives them
    assert buttons[0] == {"title": "Giấy tờ cần mang", "payload": '/ask_documents{"procedure_code": "1.000894"}'}
    assert slots["procedure_code"] == KET_HON


async def test_a_procedure_alone_offers_its_aspects(app_services, domain):
    d, slots = await run(ActionLowConfidence(), tracker("ket hon", "nlu_fallback"), domain)
    assert responses(d) == ["utter_ask_aspect"] and slots["procedure_code"] == KET_HON
    assert [b["title"] for b in d.messages[0]["buttons"]][:2] == ["Giấy tờ cần mang", "Lệ phí"]


async def test_an_aspect_word_tagged_as_the_procedure_names_nothing(app_services, domain):
    t = tracker("lam cccd can gi", "nlu_fallback", entities=[{"entity": "procedure", "value": "can gi"}])
    d, slots = await run(ActionLowConfidence(), t, domain)
    assert responses(d) == ["utter_ask_aspect"] and slots["procedure_code"] == "1.014061"


async def test_an_aspect_without_a_procedure_asks_which_and_the_choice_answers_it(app_services, domain):
    d, slots = await run(ActionLowConfidence(), tracker("het bao nhieu tien", "nlu_fallback"), domain)
    assert responses(d) == ["utter_ask_which_procedure"] and d.messages[0]["aspect"] == "Lệ phí"
    buttons = d.messages[0]["buttons"]
    assert [b["payload"] for b in buttons[:3]] == [
        f'/choose_procedure{{"procedure_code": "{code}"}}' for code in popular_codes()[:3]]
    assert buttons[-1]["payload"] == "/deny"
    assert slots["pending_aspect"] == "fees" and slots["candidate_codes"] == list(popular_codes())

    code = popular_codes()[0]
    t = tracker(buttons[0]["payload"], "choose_procedure", entities=[{"entity": "procedure_code", "value": code}],
                slots={"pending_aspect": slots["pending_aspect"]})
    d, slots = await run(ActionChooseProcedure(), t, domain)
    assert code in d.messages[0]["text"] and "lệ phí" in d.messages[0]["text"].lower()


async def test_the_procedure_under_discussion_is_offered_first(app_services, domain):
    t = tracker("mat bao lau", "nlu_fallback", slots={"procedure_code": "2.000815"})
    d, slots = await run(ActionLowConfidence(), t, domain)
    assert responses(d) == ["utter_ask_which_procedure"] and slots["pending_aspect"] == "processing_time"
    assert slots["candidate_codes"][0] == "2.000815"


async def test_close_candidates_without_an_aspect_are_offered(app_services, domain):
    d, slots = await run(ActionLowConfidence(), tracker("gplx", "nlu_fallback"), domain)
    assert responses(d) == ["utter_choose_procedure"]
    assert set(slots["candidate_codes"]) == {"3.000347", "3.000348"} and slots["pending_aspect"] is None


async def test_nothing_recognised_asks_to_rephrase(app_services, domain):
    d, slots = await run(ActionLowConfidence(), tracker("thoi tiet hom nay", "nlu_fallback"), domain)
    assert responses(d) == ["utter_ask_rephrase"] and slots == {}


async def test_an_understood_aspect_question_naming_no_procedure_asks_which(app_services, domain):
    from bot.actions.procedures import ActionAnswerProcedure

    d, slots = await run(ActionAnswerProcedure(), tracker("can gi", "ask_documents"), domain)
    assert responses(d) == ["utter_ask_which_procedure"] and d.messages[0]["aspect"] == "Giấy tờ cần mang"
    assert slots["pending_aspect"] == "documents" and slots["candidate_codes"] == list(popular_codes())
    d, _ = await run(ActionAnswerProcedure(), tracker("xin visa đi Mỹ cần gì", "ask_documents"), domain)
    assert responses(d) == ["utter_no_match"]


async def test_a_named_procedure_after_which_one_answers_the_aspect_asked(app_services, domain):
    # "het bao nhieu tien" → "which procedure?" → "ket hon" typed, not tapped: the fee of kết hôn.
    _, asked = await run(ActionLowConfidence(), tracker("het bao nhieu tien", "nlu_fallback"), domain)
    t = tracker("ket hon", "name_procedure", entities=[{"entity": "procedure", "value": "ket hon"}],
                slots={"pending_aspect": asked["pending_aspect"], "candidate_codes": asked["candidate_codes"]})
    d, slots = await run(ActionOfferAspects(), t, domain)
    assert KET_HON in d.messages[0]["text"] and "lệ phí" in d.messages[0]["text"].lower()
    assert slots["procedure_code"] == KET_HON and slots["pending_aspect"] is None


async def test_a_named_procedure_out_of_the_blue_offers_its_aspects(app_services, domain):
    t = tracker("thu tuc ket hon", "name_procedure", entities=[{"entity": "procedure", "value": "ket hon"}])
    d, slots = await run(ActionOfferAspects(), t, domain)
    assert responses(d) == ["utter_ask_aspect"] and slots["procedure_code"] == KET_HON
