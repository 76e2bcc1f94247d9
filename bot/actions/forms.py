"""Helpers shared by form validation actions: stopping a form, reading a typed answer."""

from __future__ import annotations

from typing import Any, Callable, Dict, Text

from rasa_sdk.executor import CollectingDispatcher

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
