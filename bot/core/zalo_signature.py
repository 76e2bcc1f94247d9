"""Zalo Official Account v3: webhook signatures and outgoing message bodies.

Pure and fast; the channel adapter (bot/channels/zalo.py) does the I/O.

- Signature: header `X-ZEvent-Signature: mac=<hex sha256(app_id + raw body +
  timestamp + OA secret key)>`, compared in constant time; some senders omit
  the `mac=` prefix, so both forms are accepted.
- Messages for the customer-service API (`/v3.0/oa/message/cs`): text split to
  MAX_TEXT characters; our buttons become query buttons (at most MAX_BUTTONS,
  the rest appended to the text as a numbered list), on the last piece only.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Sequence

from bot.core.delivery import Button, numbered_options, split_text

MAX_TEXT = 2000
MAX_BUTTONS = 5
MAX_TITLE = 100
QUERY_BUTTON = "oa.query.show"


def _text(value: str | bytes) -> bytes:
    return value if isinstance(value, bytes) else str(value).encode("utf-8")


def signature(app_id: str, raw_body: bytes, timestamp: str | int, secret: str) -> str:
    """'mac=' + hex SHA-256 of app_id + raw body + timestamp + secret."""
    digest = hashlib.sha256(_text(app_id) + _text(raw_body) + _text(str(timestamp)) + _text(secret))
    return "mac=" + digest.hexdigest()


def verify(header: str | None, app_id: str, raw_body: bytes, timestamp: str | int | None, secret: str) -> bool:
    """True when `header` (with or without 'mac=') is the signature of this request."""
    if not header or not secret or not app_id or timestamp in (None, ""):
        return False
    given = header.strip()
    if given.lower().startswith("mac="):
        given = given[4:]
    expected = signature(app_id, raw_body, timestamp, secret)[4:]
    return hmac.compare_digest(given.strip().lower().encode("ascii", "replace"), expected.encode("ascii"))


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
        pieces = ["Mời bạn chọn:"] if buttons else []
    bodies = [text_message(user_id, piece) for piece in pieces[:-1]]
    if pieces:
        last = buttons_message(user_id, pieces[-1], buttons[:MAX_BUTTONS])
        bodies.append(last)
    return bodies
