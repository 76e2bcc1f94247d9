"""The sender-id convention: "<channel>:<user id>", read back one way everywhere."""

from __future__ import annotations

import pytest

from bot.core.conversations import channel_name, parse_sender, push_target, sender_id


@pytest.mark.parametrize(
    "sender, parsed",
    [
        ("telegram:42", ("telegram", "42")),
        ("zalo:678", ("zalo", "678")),
        ("kiosk:quay-1.abc", ("kiosk", "quay-1.abc")),
        ("zalo:a:b", ("zalo", "a:b")),
        ("zalo:", ("zalo", "")),
        ("a1b2c3", None),
        ("cli-1234abcd", None),
        ("Telegram:42", None),
        ("x:42", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_sender(sender, parsed):
    assert parse_sender(sender) == parsed


def test_sender_id_is_read_back():
    assert parse_sender(sender_id("telegram", 987654)) == ("telegram", "987654")


def test_push_targets_are_telegram_and_zalo_users_only():
    assert push_target("telegram:42") == ("telegram", "42")
    assert push_target("zalo:77") == ("zalo", "77")
    assert push_target("zalo:") is None
    assert push_target("kiosk:quay-1.abc") is None
    assert push_target("rest-1") is None and push_target(None) is None


def test_channel_name_falls_back_to_the_input_channel():
    assert channel_name("telegram:42", "telegram") == "telegram"
    assert channel_name("kiosk:quay-1.abc", "rest") == "kiosk"
    assert channel_name("abc:", "rest") == "abc"
    assert channel_name("a1b2c3", "socketio") == "socketio"
    assert channel_name("a1b2c3", None) == "rest"
