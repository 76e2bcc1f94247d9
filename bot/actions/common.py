"""Helpers shared by actions: reading the latest message and building buttons."""

from __future__ import annotations

from typing import Iterable

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.rating import PROCEDURE_ANSWER, rated
from bot.core.answers import ASPECTS, Answer
from bot.core.delivery import payload

# Longer messages are cut before matching: a question never needs more.
MAX_MATCH_CHARS = 300
MAX_MESSAGE_CHARS = 2000


def latest_text(tracker: Tracker) -> str:
    return tracker.latest_message.get("text") or ""


def latest_entity(tracker: Tracker, name: str) -> str | None:
    values = [e.get("value") for e in tracker.latest_message.get("entities", []) if e.get("entity") == name]
    values = [str(v) for v in values if v]
    return values[0] if values else None


def latest_intent(tracker: Tracker) -> str:
    return (tracker.latest_message.get("intent") or {}).get("name") or ""


def aspect_buttons(code: str, aspects: Iterable[str]) -> list[dict]:
    return [
        {"title": ASPECTS[a][1], "payload": payload(ASPECTS[a][0], procedure_code=code)} for a in aspects
    ]


def more_button() -> dict:
    return {"title": "Xem thêm", "payload": payload("show_more")}


def send_page(
    dispatcher: CollectingDispatcher,
    page: str,
    remaining: list[str],
    code: str,
    others: Iterable[str],
) -> list[EventType]:
    """Send one page; offer "Xem thêm" while pages remain, else the other aspects.

    The answer is remembered for a rating asked later (bot/actions/rating.py):
    no rating buttons come after the aspect buttons.
    """
    if remaining:
        dispatcher.utter_message(text=page, buttons=[more_button()])
        return [SlotSet("pending_pages", remaining)]
    dispatcher.utter_message(text=page, buttons=aspect_buttons(code, others))
    return [SlotSet("pending_pages", None), *rated(code, PROCEDURE_ANSWER)]


def send_answer(dispatcher: CollectingDispatcher, answer: Answer) -> list[EventType]:
    """Send the first page of an answer and remember the procedure under discussion."""
    first, *rest = answer.pages
    events = send_page(dispatcher, first, rest, answer.procedure_code, answer.other_aspects)
    return events + [
        SlotSet("procedure_code", answer.procedure_code),
        SlotSet("pending_aspect", None),
        SlotSet("candidate_codes", None),
        SlotSet("candidate_offset", None),
    ]
