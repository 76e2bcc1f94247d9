"""Feedback, ticket status, rating, working hours and human help, with recorded trackers."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.common import send_answer
from bot.actions.feedback import (
    NONE,
    ActionAskFeedbackConfirm,
    ActionFeedbackStatus,
    ActionSubmitFeedback,
    ValidateFeedbackForm,
    ValidateTicketForm,
)
from bot.actions.office import ActionRequestHuman, ActionWorkingHours
from bot.actions.rating import ActionOfferRating, ActionRate
from tests.actions.trackers import domain, responses, slot_events, tracker  # noqa: F401
from tests.core.times import vn

CODE = "000.00.12.H12-250312-0042"


async def run(action, t, domain):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, t, domain)
    return dispatcher, events


def form_turn(slot: str, text: str, intent: str = "inform", **kw):
    return tracker(text, intent, slots={"requested_slot": slot, **kw.pop("slots", {})},
                   set_since_user={slot: text}, active_loop="feedback_form", **kw)


# --- the feedback form ----------------------------------------------------------


async def test_the_late_dossier_button_fills_what_it_is_about(app_services, domain):
    entity = {"entity": "dossier_code", "value": CODE}
    t = tracker(f'/submit_feedback{{"dossier_code": "{CODE}"}}', "submit_feedback", entities=[entity])
    _, events = await run(ValidateFeedbackForm(), t, domain)
    assert slot_events(events)["feedback_about"] == CODE


@pytest.mark.parametrize("text, response", [("ừ", "utter_feedback_content_too_short"),
                                            ("x" * 2_000_000, "utter_feedback_content_too_long")])
async def test_content_too_short_or_too_long(app_services, domain, text, response):
    dispatcher, events = await run(ValidateFeedbackForm(), form_turn("feedback_content", text), domain)
    assert responses(dispatcher) == [response] and slot_events(events)["feedback_content"] is None


async def test_content_with_a_code_fills_what_it_is_about(app_services, domain):
    text = f"Hồ sơ {CODE} trễ hẹn mà không ai báo"
    _, events = await run(ValidateFeedbackForm(), form_turn("feedback_content", text), domain)
    assert slot_events(events) == {"feedback_content": text, "feedback_about": CODE}


async def test_skip_and_bad_contact(app_services, domain):
    _, events = await run(ValidateFeedbackForm(), form_turn("feedback_about", "/skip", "skip"), domain)
    assert slot_events(events)["feedback_about"] == NONE
    dispatcher, events = await run(ValidateFeedbackForm(), form_turn("feedback_contact", "nhà tôi đầu ngõ"), domain)
    assert responses(dispatcher) == ["utter_feedback_contact_invalid"] and slot_events(events)["feedback_contact"] is None
    _, events = await run(ValidateFeedbackForm(), form_turn("feedback_contact", "0912 345 678"), domain)
    assert slot_events(events)["feedback_contact"] == "0912345678"


async def test_confirmation_reads_back_with_the_contact_masked(app_services, domain):
    t = tracker(slots={"feedback_content": "Cán bộ hẹn trả chậm", "feedback_about": NONE,
                       "feedback_contact": "0912345678"})
    dispatcher, _ = await run(ActionAskFeedbackConfirm(), t, domain)
    (message,) = dispatcher.messages
    assert message["response"] == "utter_ask_feedback_confirm"
    assert "Cán bộ hẹn trả chậm" in message["summary"] and "0912345678" not in message["summary"]
    assert [b["payload"] for b in message["buttons"]] == ["/affirm", "/deny"]


@pytest.mark.parametrize("text, intent, value", [("/affirm", "affirm", "yes"), ("gửi đi", "affirm", "yes"),
                                                 ("Hủy", "deny", "no"), ("để mai", "out_of_scope", None)])
async def test_confirmation_answers(app_services, domain, text, intent, value):
    dispatcher, events = await run(ValidateFeedbackForm(), form_turn("feedback_confirm", text, intent), domain)
    assert slot_events(events)["feedback_confirm"] == value
    assert responses(dispatcher) == ([] if value else ["utter_feedback_confirm_unclear"])


async def test_submit_stores_and_gives_a_ticket_number(app_services, domain):
    t = tracker(sender="zalo:5", input_channel="zalo",
                slots={"feedback_content": "Cán bộ hẹn trả chậm", "feedback_about": CODE,
                       "feedback_contact": NONE, "feedback_confirm": "yes"})
    dispatcher, events = await run(ActionSubmitFeedback(), t, domain)
    (message,) = dispatcher.messages
    assert message["response"] == "utter_feedback_received"
    ticket = app_services.feedback.get(message["ticket"])
    assert message["ticket"].startswith("PAKN-") and ticket.dossier_code == CODE and ticket.contact is None
    assert ticket.channel == "zalo"
    assert all(v is None for v in slot_events(events).values())


async def test_declined_feedback_is_not_stored(app_services, domain):
    t = tracker(slots={"feedback_content": "Nội dung", "feedback_about": NONE, "feedback_contact": NONE,
                       "feedback_confirm": "no"})
    dispatcher, _ = await run(ActionSubmitFeedback(), t, domain)
    assert responses(dispatcher) == ["utter_feedback_not_sent"] and app_services.feedback.list() == []


# --- ticket status ---------------------------------------------------------------


async def test_ticket_number_in_the_question(app_services, domain):
    t = tracker("phieu pakn 20250312 0001 sao roi", "ask_feedback_status")
    _, events = await run(ValidateTicketForm(), t, domain)
    assert slot_events(events)["feedback_ticket"] == "PAKN-20250312-0001"


async def test_ticket_status_and_answer_only_to_its_sender(app_services, domain):
    ticket = app_services.feedback.create(sender_id="rest-a", channel="rest", content="Cán bộ hẹn trả chậm")
    d, _ = await run(ActionFeedbackStatus(), tracker(sender="rest-a", slots={"feedback_ticket": ticket.ticket}), domain)
    assert responses(d) == ["utter_ticket_received"]
    app_services.feedback.answer(ticket.ticket, "Đã nhắc nhở cán bộ.")
    d, _ = await run(ActionFeedbackStatus(), tracker(sender="rest-a", slots={"feedback_ticket": ticket.ticket}), domain)
    assert responses(d) == ["utter_ticket_answered"] and d.messages[0]["answer"] == "Đã nhắc nhở cán bộ."
    d, _ = await run(ActionFeedbackStatus(), tracker(sender="rest-b", slots={"feedback_ticket": ticket.ticket}), domain)
    assert responses(d) == ["utter_ticket_answered_elsewhere"] and "answer" not in d.messages[0]
    d, _ = await run(ActionFeedbackStatus(), tracker(slots={"feedback_ticket": "PAKN-20990101-0001"}), domain)
    assert responses(d) == ["utter_ticket_not_found"]


# --- rating -----------------------------------------------------------------------


async def test_a_procedure_answer_remembers_its_topic_but_does_not_ask_for_the_rating(app_services, domain):
    answer = app_services.guide().answer("1.001193", "fees")
    dispatcher = CollectingDispatcher()
    events = send_answer(dispatcher, answer)
    assert "utter_ask_rating" not in responses(dispatcher)
    assert "rate" not in str(dispatcher.messages[-1]["buttons"])  # the buttons are the other aspects
    slots = slot_events(events)
    assert slots["rating_topic"] == "1.001193" and slots["rating_context"] == "procedure_answer"
    assert "rating_offered" not in slots


async def test_thanks_after_an_answer_offers_the_rating_once(app_services, domain):
    answered = {"rating_topic": "1.001193", "rating_context": "procedure_answer"}
    dispatcher, events = await run(ActionOfferRating(), tracker("cảm ơn", "thank", slots=answered), domain)
    assert responses(dispatcher) == ["utter_ask_rating"]
    assert [b["payload"] for b in dispatcher.messages[-1]["buttons"]][0] == '/rate{"rating": 5}'
    assert slot_events(events) == {"rating_offered": True}
    again, events = await run(ActionOfferRating(),
                              tracker("tạm biệt", "goodbye", slots={**answered, "rating_offered": True}), domain)
    assert responses(again) == [] and events == []


async def test_thanks_before_any_answer_asks_nothing(app_services, domain):
    dispatcher, events = await run(ActionOfferRating(), tracker("cảm ơn", "thank"), domain)
    assert responses(dispatcher) == [] and events == []


async def test_a_tap_is_stored_with_channel_and_topic(app_services, domain):
    t = tracker('/rate{"rating": 5}', "rate", sender="telegram:3", entities=[{"entity": "rating", "value": 5}],
                slots={"rating_topic": "1.001193", "rating_context": "procedure_answer"})
    dispatcher, _ = await run(ActionRate(), t, domain)
    assert responses(dispatcher) == ["utter_rating_thanks"]
    (rating,) = app_services.ratings.all()
    assert (rating.level, rating.channel, rating.topic) == (5, "telegram", "1.001193")


async def test_unhappy_rating_offers_feedback_and_typed_words_work(app_services, domain):
    dispatcher, _ = await run(ActionRate(), tracker("rất không hài lòng", "rate"), domain)
    assert responses(dispatcher) == ["utter_rating_thanks_unhappy"]
    assert app_services.ratings.all()[0].level == 1
    dispatcher, _ = await run(ActionRate(), tracker("hmm", "rate", sender="x"), domain)
    assert responses(dispatcher) == ["utter_rating_unclear"]


# --- working hours, human help ---------------------------------------------------


MONDAY_9H = vn(2025, 3, 17, 9, 0)
SUNDAY_9H = vn(2025, 3, 16, 9, 0)


@pytest.mark.parametrize("clock, hours, human", [
    (lambda: MONDAY_9H, "utter_working_hours_open", "utter_human_open"),
    (lambda: SUNDAY_9H, "utter_working_hours_closed", "utter_human_closed"),
], ids=["monday-9h", "sunday-9h"])
async def test_hours_and_human_help_follow_the_deployment_file(app_services, domain, clock, hours, human):
    d, _ = await run(ActionWorkingHours(), tracker("mấy giờ làm việc", "ask_working_hours"), domain)
    assert responses(d) == [hours] and "Thứ Hai đến Thứ Sáu" in d.messages[0]["hours"]
    d, _ = await run(ActionRequestHuman(), tracker("gặp cán bộ", "request_human"), domain)
    assert responses(d) == [human] and d.messages[0]["hotline"] == "1022" and d.messages[0]["desk"]
    if human == "utter_human_closed":
        assert d.messages[0]["next_opening"] == "7h30 ngày mai"


async def test_a_broken_deployment_file_falls_back(app_services, domain, tmp_path):
    import dataclasses

    broken = tmp_path / "deployment.yml"
    broken.write_text("office: [", encoding="utf-8")
    app_services.settings = dataclasses.replace(app_services.settings, deployment_file=broken)
    d, _ = await run(ActionRequestHuman(), tracker("gặp cán bộ", "request_human"), domain)
    assert responses(d) == ["utter_holding_human"]
