"""The sender-id convention: which channel a conversation lives on, and whether we can push to it.

Our adapters name their Rasa conversations "<channel>:<user id>" (`sender_id`,
read back by `parse_sender`), e.g. "telegram:12345", "zalo:678" or
"kiosk:quay-1.abc". Telegram and Zalo can push messages later; the REST
channel and the kiosk cannot, so nothing is queued for them.
"""

from __future__ import annotations

import re

PUSH_CHANNELS = ("telegram", "zalo")
_CHANNEL = re.compile(r"[a-z]{2,20}")


def sender_id(channel: str, user_id: str | int) -> str:
    return f"{channel}:{user_id}"


def parse_sender(sender: str | None) -> tuple[str, str] | None:
    """(channel, user id) of a conversation named "<channel>:<user id>", else None.

    The channel is 2 to 20 lowercase letters; the user id is everything after the
    first colon and may be empty.
    """
    channel, colon, user_id = (sender or "").partition(":")
    if colon and _CHANNEL.fullmatch(channel):
        return channel, user_id
    return None


def push_target(sender: str | None) -> tuple[str, str] | None:
    """(channel, recipient id) for a conversation we can push to, else None."""
    parsed = parse_sender(sender)
    if parsed and parsed[0] in PUSH_CHANNELS and parsed[1]:
        return parsed
    return None


def channel_name(sender: str | None, input_channel: str | None) -> str:
    """The channel a conversation is on, for reports: "telegram", "zalo", "kiosk", "rest"..."""
    parsed = parse_sender(sender)
    return parsed[0] if parsed else (input_channel or "rest")[:40]
