"""Recorded trackers for action tests: build a rasa_sdk Tracker as the server would send it."""

from __future__ import annotations

from typing import Any, Iterable

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.settings import PROJECT_ROOT


def tracker(
    text: str = "",
    intent: str = "inform",
    *,
    sender: str = "rest-1",
    slots: dict[str, Any] | None = None,
    entities: Iterable[dict] = (),
    set_since_user: dict[str, Any] | None = None,
    active_loop: str | None = None,
    input_channel: str = "rest",
    metadata: dict[str, Any] | None = None,
) -> Tracker:
    """A tracker whose latest user message is `text`; `set_since_user` are the slots
    extracted from it (what a form's validation action is asked to validate)."""
    set_since_user = set_since_user or {}
    all_slots = {**(slots or {}), **set_since_user}
    events = [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": text, "input_channel": input_channel,
         "parse_data": {"intent": {"name": intent, "confidence": 1.0}, "entities": list(entities), "text": text}},
    ] + [{"event": "slot", "name": k, "value": v} for k, v in set_since_user.items()]
    return Tracker(
        sender_id=sender,
        slots=all_slots,
        latest_message={"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": list(entities),
                        **({"metadata": metadata} if metadata is not None else {})},
        events=events,
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


def responses(dispatcher: CollectingDispatcher) -> list[str]:
    return [m.get("response") for m in dispatcher.messages]


def slot_events(events: list[dict]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


@pytest.fixture(scope="session")
def domain() -> dict:
    return yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
