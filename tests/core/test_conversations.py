"""Which channel a conversation is on, from its sender id."""

from __future__ import annotations

from bot.core.conversations import channel_name


def test_channel_names():
    assert channel_name("telegram:42", "telegram") == "telegram"
    assert channel_name("kiosk:quay-1.abc", "rest") == "kiosk"
    assert channel_name("a1b2c3", "rest") == "rest"
    assert channel_name("a1b2c3", None) == "rest"
