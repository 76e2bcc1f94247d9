"""Zalo Official Account v3 message bodies for the customer-service API (`/v3.0/oa/message/cs`).

Pure; the channel adapter (bot/channels/zalo.py) sends them. Text is split to
MAX_TEXT characters; our buttons become query buttons (at most MAX_BUTTONS,
the rest appended to the text as a numbered list), on the last piece only.
"""

from __future__ import annotations

from typing import Sequence

from bot.core.delivery import CHOOSE, Button, numbered_options, split_text

MAX_TEXT = 2000
MAX_BUTTONS = 5
MAX_TITLE = 100
QUERY_BUTTON = "oa.query.show"


def text_message(user_id: str, text: str) -> dict:
    return {"recipient": {"user_id": str(user_id)}, "message": {"text": text}}


def query_button(button: Button) -> dict:
    title = button.title.strip()[:MAX_TITLE] or "…"
    return {"title": title, "type": QUERY_BUTTON, "payload": button.payload}


def buttons_message(user_id: str, text: str, buttons: Sequence[Button]) -> dict:
    """One message with up to MAX_BUTTONS query buttons; extra buttons numbered in the text."""
    shown, rest = list(buttons[:MAX_BUTTONS]), list(buttons[MAX_BUTTONS:])
    if rest:
        text = f"{text}\n\n{numbered_options(rest, start=MAX_BUTTONS + 1)}".strip()
    message = text_message(user_id, text)
    if shown:
        message["message"]["attachment"] = {
            "type": "template",
            "payload": {"buttons": [query_button(b) for b in shown]},
        }
    return message


def messages(user_id: str, text: str, buttons: Sequence[Button] = ()) -> list[dict]:
    """Every API body for one reply: text split to MAX_TEXT, buttons on the last piece only."""
    buttons = list(buttons)
    extra = ""
    if len(buttons) > MAX_BUTTONS:
        extra = numbered_options(buttons[MAX_BUTTONS:], start=MAX_BUTTONS + 1)
    pieces = split_text(f"{text or ''}\n\n{extra}".strip() if extra else (text or ""), MAX_TEXT)
    if not pieces:
        pieces = [CHOOSE] if buttons else []
    bodies = [text_message(user_id, piece) for piece in pieces[:-1]]
    if pieces:
        last = buttons_message(user_id, pieces[-1], buttons[:MAX_BUTTONS])
        bodies.append(last)
    return bodies
