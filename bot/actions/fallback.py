"""Low NLU confidence, or a procedure named with nothing asked: offer what was understood.

The decision is bot/core/unclear.py's: a recognised procedure gets its aspects as
buttons (or, when the assistant had just asked "which procedure?" for an aspect,
that aspect is answered), a recognised aspect gets the most asked procedures as
buttons (the choice answers that aspect, through action_choose_procedure);
otherwise ask to rephrase once, then point to human help.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.common import aspect_buttons, latest_text, send_answer
from bot.actions.procedures import offer_choices, popular_codes
from bot.app import services
from bot.core.answers import ASPECTS
from bot.core.unclear import AskProcedure, OfferAspects, decide

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
        svc = services()
        guide = svc.guide()
        decision = decide(
            latest_text(tracker),
            tracker.latest_message.get("entities"),
            guide,
            svc.lexicon,
            popular=popular_codes(),
            current_code=tracker.get_slot("procedure_code"),
        )
        if isinstance(decision, OfferAspects):
            pending = tracker.get_slot("pending_aspect")
            if decision.aspect is None and pending in ASPECTS and tracker.get_slot("candidate_codes"):
                # "Bạn muốn hỏi lệ phí của thủ tục nào?" → "hộ chiếu": answer the fee.
                return send_answer(dispatcher, guide.answer(decision.code, pending))
            first = [decision.aspect] if decision.aspect in ASPECTS else []
            aspects = first + [a for a in ASPECTS if a not in first]
            dispatcher.utter_message(response="utter_ask_aspect", procedure=guide.get(decision.code).short_name,
                                     buttons=aspect_buttons(decision.code, aspects))
            return [SlotSet("procedure_code", decision.code), SlotSet("pending_pages", None),
                    SlotSet("candidate_codes", None), SlotSet("pending_aspect", None)]
        if isinstance(decision, AskProcedure) and decision.codes:
            if decision.aspect is None:
                return offer_choices(dispatcher, list(decision.codes), 0, None)
            label = ASPECTS[decision.aspect][1]
            return offer_choices(dispatcher, list(decision.codes), 0, decision.aspect,
                                 response="utter_ask_which_procedure", aspect=label)
        if _previous_bot_action(tracker) == ACTION_NAME:
            dispatcher.utter_message(response="utter_offer_human")
        else:
            dispatcher.utter_message(response="utter_ask_rephrase")
        return []


class ActionOfferAspects(ActionLowConfidence):
    """name_procedure ("ket hon", "thủ tục hộ chiếu"): the same offer, asked for by the intent."""

    def name(self) -> Text:
        return "action_offer_aspects"
