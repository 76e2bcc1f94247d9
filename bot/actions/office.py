"""Working hours and human help, from the deployment file (data/deployment.yml)."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.app import services
from bot.core.office import Office, format_opening


def _next_opening_text(office: Office) -> str:
    now = services().clock()
    opening = office.next_opening(now)
    return format_opening(opening, now) if opening else "giờ hành chính"


def _reply(dispatcher: CollectingDispatcher, open_response: str, closed_response: str, fallback: str) -> None:
    """Answer from the deployment file, wording by whether the desk is open now."""
    office = services().office()
    if office is None:
        dispatcher.utter_message(response=fallback)
        return
    now = services().clock()
    dispatcher.utter_message(
        response=open_response if office.is_open(now) else closed_response,
        office=office.name, address=office.address, desk=office.desk, hotline=office.hotline,
        hours=office.hours_summary(), next_opening=_next_opening_text(office),
    )


class ActionWorkingHours(Action):
    def name(self) -> Text:
        return "action_working_hours"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        _reply(dispatcher, "utter_working_hours_open", "utter_working_hours_closed", "utter_holding_hours")
        return []


class ActionRequestHuman(Action):
    """The hotline and the desk; during working hours, a staff member can help at the desk."""

    def name(self) -> Text:
        return "action_request_human"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        _reply(dispatcher, "utter_human_open", "utter_human_closed", "utter_holding_human")
        return []
