"""Answer questions about a procedure: which one, then the aspect asked for."""

from __future__ import annotations

import functools
import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.common import (
    MAX_MATCH_CHARS,
    MAX_MESSAGE_CHARS,
    latest_entity,
    latest_intent,
    latest_text,
    send_answer,
    send_page,
)
from bot.app import services
from bot.core.answers import ASPECTS, INTENT_TO_ASPECT
from bot.core.delivery import payload
from bot.core.guide import CHOICES_PER_PAGE, ProcedureGuide, Resolution
from bot.core.unclear import names_nothing, procedure_question

logger = logging.getLogger(__name__)
DEFAULT_ASPECT = "steps"


@functools.lru_cache(maxsize=1)
def popular_codes() -> tuple[str, ...]:
    """The most asked procedures: the kiosk's start-screen topics (data/kiosk.yml)."""
    from bot.web.kiosk import load_topics

    return tuple(t.code for t in load_topics())


def _choice_buttons(codes: List[str], offset: int) -> List[Dict[str, str]]:
    guide = services().guide()
    buttons = [
        {"title": p.short_name, "payload": payload("choose_procedure", procedure_code=p.code)}
        for p in guide.page_of_choices(codes, offset)
    ]
    buttons.append({"title": "Không phải các thủ tục này", "payload": payload("deny")})
    return buttons


def offer_choices(
    dispatcher: CollectingDispatcher,
    codes: List[str],
    offset: int,
    pending_aspect: str | None,
    response: str = "utter_choose_procedure",
    **fill: Any,
) -> List[EventType]:
    """Offer a page of candidate procedures; the one chosen answers `pending_aspect` (default: the steps)."""
    dispatcher.utter_message(response=response, buttons=_choice_buttons(codes, offset), **fill)
    return [
        SlotSet("candidate_codes", codes),
        SlotSet("candidate_offset", float(offset)),
        SlotSet("pending_aspect", pending_aspect),
    ]


def _answer_or_choose(dispatcher: CollectingDispatcher, guide: ProcedureGuide, resolution: Resolution,
                      aspect: str) -> List[EventType] | None:
    """The aspect's answer for the procedure found, or the candidates to choose from; None when none was found."""
    if resolution.kind == "answer":
        return send_answer(dispatcher, guide.answer(resolution.code, aspect))
    if resolution.kind == "choose":
        return offer_choices(dispatcher, [c.code for c in resolution.candidates], 0, aspect)
    return None


def _no_match(dispatcher: CollectingDispatcher) -> List[EventType]:
    """No procedure found: say so and forget the candidates offered before."""
    dispatcher.utter_message(response="utter_no_match")
    return [SlotSet("candidate_codes", None), SlotSet("pending_aspect", None)]


class ActionAnswerProcedure(Action):
    """ask_procedure / ask_documents / ask_fee / ... → the aspect of the right procedure."""

    def name(self) -> Text:
        return "action_answer_procedure"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        aspect = INTENT_TO_ASPECT.get(latest_intent(tracker), DEFAULT_ASPECT)
        text = latest_text(tracker)
        if len(text) > MAX_MESSAGE_CHARS:
            dispatcher.utter_message(response="utter_message_too_long")
            return []
        guide = services().guide()
        code_from_button = latest_entity(tracker, "procedure_code")
        if guide.get(code_from_button):
            return send_answer(dispatcher, guide.answer(code_from_button, aspect))
        resolution = guide.resolve(
            text[:MAX_MATCH_CHARS],
            entity_text=latest_entity(tracker, "procedure"),
            current_code=tracker.get_slot("procedure_code"),
        )
        events = _answer_or_choose(dispatcher, guide, resolution, aspect)
        if events is not None:
            return events
        if not latest_entity(tracker, "procedure") and names_nothing(text, services().lexicon):
            # "can gi", "het bao nhieu tien": the aspect is clear, the procedure not said yet.
            codes = [c for c in popular_codes() if guide.get(c)]
            if codes:
                return offer_choices(dispatcher, codes, 0, aspect, response="utter_ask_which_procedure",
                                     aspect=ASPECTS[aspect][1])
        return _no_match(dispatcher)


class ActionChooseProcedure(Action):
    """A candidate button was tapped: answer the aspect asked before."""

    def name(self) -> Text:
        return "action_choose_procedure"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        guide = services().guide()
        code = latest_entity(tracker, "procedure_code")
        if not guide.get(code):
            dispatcher.utter_message(response="utter_no_match")
            return []
        aspect = tracker.get_slot("pending_aspect") or DEFAULT_ASPECT
        if aspect not in ASPECTS:
            aspect = DEFAULT_ASPECT
        return send_answer(dispatcher, guide.answer(code, aspect))


class ActionDeny(Action):
    """"Không phải": move to the next candidates, if any were offered."""

    def name(self) -> Text:
        return "action_deny"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        codes = tracker.get_slot("candidate_codes") or []
        if not codes:
            dispatcher.utter_message(response="utter_deny")
            return [SlotSet("procedure_code", None)]
        offset = int(tracker.get_slot("candidate_offset") or 0) + CHOICES_PER_PAGE
        if offset >= len(codes):
            dispatcher.utter_message(response="utter_no_more_candidates")
            return [SlotSet("candidate_codes", None), SlotSet("candidate_offset", None)]
        aspect = tracker.get_slot("pending_aspect") or DEFAULT_ASPECT
        return offer_choices(dispatcher, codes, offset, aspect)


class ActionShowMore(Action):
    """"Xem thêm": the next page of the last long answer."""

    def name(self) -> Text:
        return "action_show_more"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        pages = tracker.get_slot("pending_pages") or []
        code = tracker.get_slot("procedure_code")
        if not pages or not code:
            dispatcher.utter_message(response="utter_no_more_pages")
            return [SlotSet("pending_pages", None)]
        others = tuple(ASPECTS)
        return send_page(dispatcher, pages[0], list(pages[1:]), code, others)


def answer_procedure_question(dispatcher: CollectingDispatcher, text: str) -> List[EventType] | None:
    """For a message the NLU read as out of scope or as feedback: when it asks about a
    procedure, answer it (the steps), offer the candidates, or say none was found, and
    return the events; None when it is not a procedure question."""
    if len(text) > MAX_MESSAGE_CHARS:
        return None
    svc = services()
    guide = svc.guide()
    resolution = procedure_question(text[:MAX_MATCH_CHARS], guide, svc.lexicon)
    if resolution is None:
        return None
    events = _answer_or_choose(dispatcher, guide, resolution, DEFAULT_ASPECT)
    return _no_match(dispatcher) if events is None else events


class ActionOutOfScope(Action):
    """out_of_scope: a procedure question the NLU misread is answered; anything else is out of scope."""

    def name(self) -> Text:
        return "action_out_of_scope"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        events = answer_procedure_question(dispatcher, latest_text(tracker))
        if events is not None:
            return events
        dispatcher.utter_message(response="utter_out_of_scope")
        return []
