"""The one-tap satisfaction rating: offered once per conversation, stored when tapped.

Answers and dossier lookups only remember what a rating would be about
(`rated`); the rating itself is asked after the citizen says thanks or goodbye
(data/rules/conversation.yml), so its numbered buttons never compete with the
aspect buttons of an answer: a typed "1" always means the latest buttons.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.app import services
from bot.core.conversations import channel_name
from bot.core.delivery import payload
from bot.core.ratings import LEVELS, parse_rating

PROCEDURE_ANSWER = "procedure_answer"
DOSSIER_LOOKUP = "dossier_lookup"
NO_TOPIC = "khac"


def rating_buttons() -> list[dict]:
    return [{"title": label, "payload": payload("rate", rating=level)} for level, label in LEVELS.items()]


def rated(topic: str | None, context: str) -> list[EventType]:
    """Remember what was just answered, for a rating asked later."""
    return [SlotSet("rating_topic", topic or NO_TOPIC), SlotSet("rating_context", context)]


def offer_rating(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """Ask for a rating of what was answered, once per conversation; nothing when
    nothing was answered yet."""
    if tracker.get_slot("rating_offered") or not tracker.get_slot("rating_context"):
        return []
    dispatcher.utter_message(response="utter_ask_rating", buttons=rating_buttons())
    return [SlotSet("rating_offered", True)]


class ActionOfferRating(Action):
    """After thanks or goodbye: the rating, when something was answered and it was not asked yet."""

    def name(self) -> Text:
        return "action_offer_rating"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        return offer_rating(dispatcher, tracker)


def _rating_value(tracker: Tracker) -> Any:
    for entity in tracker.latest_message.get("entities", []) or []:
        if entity.get("entity") == "rating":
            return entity.get("value")
    return tracker.latest_message.get("text")


class ActionRate(Action):
    """/rate{"rating": 5} or typed words ("rất hài lòng") → stored with channel and topic."""

    def name(self) -> Text:
        return "action_rate"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        level = parse_rating(_rating_value(tracker))
        if level is None:
            dispatcher.utter_message(response="utter_rating_unclear", buttons=rating_buttons())
            return [SlotSet("rating_offered", True)]
        services().ratings.record(
            sender_id=tracker.sender_id,
            channel=channel_name(tracker.sender_id, tracker.get_latest_input_channel()),
            topic=tracker.get_slot("rating_topic") or NO_TOPIC,
            context=tracker.get_slot("rating_context") or PROCEDURE_ANSWER,
            level=level,
        )
        if level <= 2:
            dispatcher.utter_message(response="utter_rating_thanks_unhappy",
                                     buttons=[{"title": "Gửi phản ánh", "payload": payload("submit_feedback")}])
        else:
            dispatcher.utter_message(response="utter_rating_thanks")
        return [SlotSet("rating_offered", True)]
