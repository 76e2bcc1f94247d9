"""Which channel a conversation lives on, and whether we can push to it.

Adapters that can push messages later (Telegram, Zalo) name their Rasa
conversations "<channel>:<user id>", e.g. "telegram:12345" or "zalo:678".
The REST channel and the kiosk cannot push: nothing is queued for them.
"""

from __future__ import annotations

import re

PUSH_CHANNELS = ("telegram", "zalo")


def sender_id(channel: str, user_id: str | int) -> str:
    return f"{channel}:{user_id}"


def push_target(sender: str | None) -> tuple[str, str] | None:
    """(channel, recipient id) for a conversation we can push to, else None."""
    if not sender or ":" not in sender:
        return None
    channel, _, recipient = sender.partition(":")
    if channel in PUSH_CHANNELS and recipient:
        return channel, recipient
    return None


def channel_name(sender: str | None, input_channel: str | None) -> str:
    """The channel a conversation is on, for reports: "telegram", "zalo", "kiosk", "rest"..."""
    prefix, sep, _ = (sender or "").partition(":")
    if sep and re.fullmatch(r"[a-z]{2,20}", prefix):
        return prefix
    return (input_channel or "rest")[:40]
