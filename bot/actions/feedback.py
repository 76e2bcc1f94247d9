"""Feedback (phản ánh, kiến nghị): collect, read back, store with a ticket; ticket status."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from bot.actions.common import latest_entity, latest_intent, latest_text
from bot.actions.dossiers import cancel_form
from bot.app import services
from bot.core.dossiers import find_code, format_day, normalize_code
from bot.core.feedback import (
    ANSWERED,
    FeedbackError,
    channel_name,
    clean_about,
    clean_contact,
    clean_content,
    find_ticket,
    is_cancel,
    is_skip,
    normalize_ticket,
    summary_text,
    yes_or_no,
)

FORM_SLOTS = ("feedback_content", "feedback_about", "feedback_contact", "feedback_confirm")
NONE = "(không)"  # an optional part the citizen skipped
SKIP_BUTTON = {"title": "Bỏ qua", "payload": "/skip"}


def _optional(value: str | None) -> str | None:
    return None if value in (None, NONE) else value


class ValidateFeedbackForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_feedback_form"

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
        text = str(value or "")
        if is_cancel(text):
            return cancel_form(dispatcher, FORM_SLOTS)
        if is_skip(text):
            return {"feedback_about": NONE}
        code = normalize_code(text) or find_code(text)
        if code:
            return {"feedback_about": code}
        try:
            return {"feedback_about": clean_about(text) or NONE}
        except FeedbackError:
            dispatcher.utter_message(response="utter_feedback_about_too_long", buttons=[SKIP_BUTTON])
            return {"feedback_about": None}

    def validate_feedback_contact(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                  domain: DomainDict) -> Dict[Text, Any]:
        text = str(value or "")
        if is_cancel(text):
            return cancel_form(dispatcher, FORM_SLOTS)
        if is_skip(text):
            return {"feedback_contact": NONE}
        try:
            return {"feedback_contact": clean_contact(text)}
        except FeedbackError:
            dispatcher.utter_message(response="utter_feedback_contact_invalid", buttons=[SKIP_BUTTON])
            return {"feedback_contact": None}

    def validate_feedback_confirm(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                  domain: DomainDict) -> Dict[Text, Any]:
        answer = yes_or_no(str(value or ""), latest_intent(tracker))
        if answer is None:
            dispatcher.utter_message(response="utter_feedback_confirm_unclear", buttons=confirm_buttons())
            return {"feedback_confirm": None}
        return {"feedback_confirm": "yes" if answer else "no"}


def confirm_buttons() -> list[dict]:
    return [{"title": "Gửi", "payload": "/affirm"}, {"title": "Hủy", "payload": "/deny"}]


class ActionAskFeedbackAbout(Action):
    def name(self) -> Text:
        return "action_ask_feedback_about"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        dispatcher.utter_message(response="utter_ask_feedback_about", buttons=[SKIP_BUTTON])
        return []


class ActionAskFeedbackContact(Action):
    def name(self) -> Text:
        return "action_ask_feedback_contact"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        dispatcher.utter_message(response="utter_ask_feedback_contact", buttons=[SKIP_BUTTON])
        return []


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
        if tracker.get_slot("requested_slot"):
            return {}
        ticket = normalize_ticket(latest_entity(tracker, "feedback_ticket")) or find_ticket(latest_text(tracker))
        return {"feedback_ticket": ticket} if ticket else {}

    def validate_feedback_ticket(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                 domain: DomainDict) -> Dict[Text, Any]:
        text = str(value or "")
        if is_cancel(text):
            return cancel_form(dispatcher, ("feedback_ticket",))
        ticket = normalize_ticket(text) or find_ticket(text)
        if ticket is None:
            dispatcher.utter_message(response="utter_ticket_invalid")
        return {"feedback_ticket": ticket}


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
