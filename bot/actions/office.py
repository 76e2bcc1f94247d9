"""Working hours and human help, from the deployment file (data/deployment.yml)."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.app import services
from bot.core.dossiers import now_local
from bot.core.office import Office, format_opening


def _next_opening_text(office: Office) -> str:
    now = now_local()
    opening = office.next_opening(now)
    return format_opening(opening, now) if opening else "giờ hành chính"


class ActionWorkingHours(Action):
    def name(self) -> Text:
        return "action_working_hours"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        office = services().office()
        if office is None:
            dispatcher.utter_message(response="utter_holding_hours")
            return []
        values = dict(office=office.name, address=office.address, hours=office.hours_summary(),
                      hotline=office.hotline, next_opening=_next_opening_text(office))
        if office.is_open(now_local()):
            dispatcher.utter_message(response="utter_working_hours_open", **values)
        else:
            dispatcher.utter_message(response="utter_working_hours_closed", **values)
        return []


class ActionRequestHuman(Action):
    def name(self) -> Text:
        return "action_request_human"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        office = services().office()
        if office is None:
            dispatcher.utter_message(response="utter_holding_human")
            return []
        values = dict(office=office.name, address=office.address, desk=office.desk, hotline=office.hotline,
                      next_opening=_next_opening_text(office))
        if office.is_open(now_local()):
            dispatcher.utter_message(response="utter_human_open", **values)
        else:
            dispatcher.utter_message(response="utter_human_closed", **values)
        return []
