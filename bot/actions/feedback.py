"""Feedback (phản ánh, kiến nghị): collect, read back, store with a ticket; ticket status."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Callable, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from bot.actions.common import latest_entity, latest_intent, latest_text
from bot.actions.forms import cancel_form, code_from_opening, validate_typed
from bot.actions.procedures import answer_procedure_question
from bot.app import services
from bot.core.clock import format_day
from bot.core.conversations import channel_name
from bot.core.delivery import payload
from bot.core.dossiers.codes import find_code, normalize_code
from bot.core.feedback import (
    ANSWERED,
    FeedbackError,
    clean_about,
    clean_contact,
    clean_content,
    find_ticket,
    normalize_ticket,
    summary_text,
)
from bot.core.short_answers import is_cancel, is_skip, yes_or_no

FORM_SLOTS = ("feedback_content", "feedback_about", "feedback_contact", "feedback_confirm")
NONE = "(không)"  # an optional part the citizen skipped
SKIP_BUTTON = {"title": "Bỏ qua", "payload": payload("skip")}


def _optional(value: str | None) -> str | None:
    return None if value in (None, NONE) else value


def _optional_part(value: Any, dispatcher: CollectingDispatcher, slot: str, parse: Callable[[str], str],
                   invalid_response: str) -> Dict[Text, Any]:
    """"thôi" stops the form, "bỏ qua" skips the part, else parse it (FeedbackError: ask again)."""
    text = str(value or "")
    if is_cancel(text):
        return cancel_form(dispatcher, FORM_SLOTS)
    if is_skip(text):
        return {slot: NONE}
    try:
        return {slot: parse(text) or NONE}
    except FeedbackError:
        dispatcher.utter_message(response=invalid_response, buttons=[SKIP_BUTTON])
        return {slot: None}


class ValidateFeedbackForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_feedback_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        """At activation, a procedure question the NLU took for feedback ("đăng ký nhãn hiệu
        cho sản phẩm") is answered instead and the form ends before asking anything."""
        if (latest_intent(tracker) == "submit_feedback" and not tracker.get_slot("requested_slot")
                and not tracker.get_slot("feedback_content") and not latest_entity(tracker, "dossier_code")):
            events = answer_procedure_question(dispatcher, latest_text(tracker))
            if events is not None:
                return events + [SlotSet("requested_slot", None)]
        return await super().run(dispatcher, tracker, domain)

    async def extract_feedback_about(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                     domain: DomainDict) -> Dict[Text, Any]:
        """The "Gửi phản ánh" button under a late dossier carries its code."""
        if tracker.get_slot("requested_slot") or tracker.get_slot("feedback_about"):
            return {}
        code = normalize_code(latest_entity(tracker, "dossier_code"))
        return {"feedback_about": code} if code else {}

    def validate_feedback_content(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                  domain: DomainDict) -> Dict[Text, Any]:
        if is_cancel(str(value or "")):
            return cancel_form(dispatcher, FORM_SLOTS)
        try:
            content = clean_content(str(value or ""))
        except FeedbackError as exc:
            dispatcher.utter_message(response=f"utter_feedback_content_{exc.reason}")
            return {"feedback_content": None}
        found = find_code(content)
        if found and not tracker.get_slot("feedback_about"):
            return {"feedback_content": content, "feedback_about": found}
        return {"feedback_content": content}

    def validate_feedback_about(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                domain: DomainDict) -> Dict[Text, Any]:
        return _optional_part(value, dispatcher, "feedback_about",
                              lambda t: normalize_code(t) or find_code(t) or clean_about(t),
                              "utter_feedback_about_too_long")

    def validate_feedback_contact(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                  domain: DomainDict) -> Dict[Text, Any]:
        return _optional_part(value, dispatcher, "feedback_contact", clean_contact, "utter_feedback_contact_invalid")

    def validate_feedback_confirm(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                  domain: DomainDict) -> Dict[Text, Any]:
        answer = yes_or_no(str(value or ""), latest_intent(tracker))
        if answer is None:
            dispatcher.utter_message(response="utter_feedback_confirm_unclear", buttons=confirm_buttons())
            return {"feedback_confirm": None}
        return {"feedback_confirm": "yes" if answer else "no"}


def confirm_buttons() -> list[dict]:
    return [{"title": "Gửi", "payload": payload("affirm")}, {"title": "Hủy", "payload": payload("deny")}]


class _AskWithSkipButton(Action, ABC):
    """Ask for an optional part of the feedback, with a "Bỏ qua" button."""

    @property
    @abstractmethod
    def slot(self) -> str: ...

    def name(self) -> Text:
        return f"action_ask_{self.slot}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        dispatcher.utter_message(response=f"utter_ask_{self.slot}", buttons=[SKIP_BUTTON])
        return []


class ActionAskFeedbackAbout(_AskWithSkipButton):
    slot = "feedback_about"


class ActionAskFeedbackContact(_AskWithSkipButton):
    slot = "feedback_contact"


class ActionAskFeedbackConfirm(Action):
    """Read the feedback back before it is sent (contact masked)."""

    def name(self) -> Text:
        return "action_ask_feedback_confirm"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        summary = summary_text(tracker.get_slot("feedback_content") or "",
                               _optional(tracker.get_slot("feedback_about")),
                               _optional(tracker.get_slot("feedback_contact")))
        dispatcher.utter_message(response="utter_ask_feedback_confirm", summary=summary, buttons=confirm_buttons())
        return []


class ActionSubmitFeedback(Action):
    def name(self) -> Text:
        return "action_submit_feedback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        events: List[EventType] = [SlotSet(slot, None) for slot in FORM_SLOTS]
        content = tracker.get_slot("feedback_content")
        confirm = tracker.get_slot("feedback_confirm")
        if not content or not confirm:  # cancelled: already said so
            return events
        if confirm != "yes":
            dispatcher.utter_message(response="utter_feedback_not_sent")
            return events
        about = _optional(tracker.get_slot("feedback_about"))
        ticket = services().feedback.create(
            sender_id=tracker.sender_id,
            channel=channel_name(tracker.sender_id, tracker.get_latest_input_channel()),
            content=content,
            about=about,
            dossier_code=find_code(about) if about else None,
            contact=_optional(tracker.get_slot("feedback_contact")),
        )
        dispatcher.utter_message(response="utter_feedback_received", ticket=ticket.ticket)
        return events + [SlotSet("feedback_ticket", None)]


class ValidateTicketForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_ticket_form"

    async def extract_feedback_ticket(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                      domain: DomainDict) -> Dict[Text, Any]:
        return code_from_opening(tracker, "feedback_ticket", normalize_ticket, find_ticket)

    def validate_feedback_ticket(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                 domain: DomainDict) -> Dict[Text, Any]:
        return validate_typed(value, dispatcher, "feedback_ticket", lambda t: normalize_ticket(t) or find_ticket(t),
                              "utter_ticket_invalid", ("feedback_ticket",))


class ActionFeedbackStatus(Action):
    """A ticket's status; the answer itself only to the conversation that sent the feedback."""

    def name(self) -> Text:
        return "action_feedback_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        events: List[EventType] = [SlotSet("feedback_ticket", None)]
        number = tracker.get_slot("feedback_ticket")
        if not number:
            return events
        ticket = services().feedback.get(number)
        if ticket is None:
            dispatcher.utter_message(response="utter_ticket_not_found", ticket=number)
        elif ticket.status != ANSWERED:
            dispatcher.utter_message(response="utter_ticket_received", ticket=ticket.ticket,
                                     date=format_day(ticket.created_at))
        elif ticket.sender_id == tracker.sender_id:
            dispatcher.utter_message(response="utter_ticket_answered", ticket=ticket.ticket, answer=ticket.answer)
        else:
            dispatcher.utter_message(response="utter_ticket_answered_elsewhere", ticket=ticket.ticket,
                                     date=format_day(ticket.answered_at))
        return events
