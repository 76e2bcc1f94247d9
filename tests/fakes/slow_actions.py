"""Actions for the action server's own tests: one that blocks its thread, one that answers at once."""

from __future__ import annotations

import time
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

SLOW_SECONDS = 3.0


class ActionSlow(Action):
    """Blocks like a slow database call inside an `async def run`."""

    def name(self) -> Text:
        return "action_slow"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        time.sleep(SLOW_SECONDS)
        dispatcher.utter_message(text="slow")
        return []


class ActionFast(Action):
    def name(self) -> Text:
        return "action_fast"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        dispatcher.utter_message(text="fast")
        return []
