"""Helpers shared by form validation actions: stopping a form, reading a code from the opening message or a
typed answer."""

from __future__ import annotations

from typing import Any, Callable, Dict, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.common import latest_entity, latest_text
from bot.core.short_answers import is_cancel


def cancel_form(dispatcher: CollectingDispatcher, slots: tuple[str, ...]) -> Dict[Text, Any]:
    """End a form early: clear its slots; the form's submit action then says nothing more."""
    dispatcher.utter_message(response="utter_form_cancelled")
    return {**{slot: None for slot in slots}, "requested_slot": None}


def validate_typed(value: Any, dispatcher: CollectingDispatcher, slot: str, parse: Callable[[str], str | None],
                   invalid_response: str, form_slots: tuple[str, ...]) -> Dict[Text, Any]:
    """A form answer typed by the citizen: "thôi" stops the form, else parse it or ask again."""
    text = str(value or "")
    if is_cancel(text):
        return cancel_form(dispatcher, form_slots)
    parsed = parse(text)
    if parsed is None:
        dispatcher.utter_message(response=invalid_response)
    return {slot: parsed}


def code_from_opening(tracker: Tracker, slot: str, normalize: Callable[[str | None], str | None],
                      find: Callable[[str | None], str | None]) -> Dict[Text, Any]:
    """A code in the message that starts the form ("tra cứu hồ sơ 000.00..."): the entity named like `slot`
    (`normalize`d), else one `find` reads in the text; nothing once the form has asked for it."""
    if tracker.get_slot("requested_slot"):
        return {}
    code = normalize(latest_entity(tracker, slot)) or find(latest_text(tracker))
    return {slot: code} if code else {}
