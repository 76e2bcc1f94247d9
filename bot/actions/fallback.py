"""Low NLU confidence: ask to rephrase once, then point to human help."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

ACTION_NAME = "action_low_confidence"


def _previous_bot_action(tracker: Tracker) -> str | None:
    """The last action run before the current user message, ignoring listens."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if seen_user:
                continue
            seen_user = True
            continue
        if seen_user and event.get("event") == "action" and event.get("name") != "action_listen":
            return event.get("name")
    return None


class ActionLowConfidence(Action):
    def name(self) -> Text:
        return ACTION_NAME

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        if _previous_bot_action(tracker) == ACTION_NAME:
            dispatcher.utter_message(response="utter_offer_human")
        else:
            dispatcher.utter_message(response="utter_ask_rephrase")
        return []
