"""Every response in domain.yml renders through Rasa's own response generator without an
interpolator error, and its buttons send payloads that Rasa reads as an intent with entities.

Rasa fills `{placeholder}` in every part of a response, button payloads included; a payload's
entities (`/intent{"entity": "value"}`) are therefore written in double braces in domain.yml.
A single brace made Rasa log a KeyError traceback each time the response was sent
(the greeting on every kiosk and chat start).
"""

from __future__ import annotations

import asyncio
import re

import pytest
from rasa.core.nlg import interpolator
from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.nlu.classifiers.regex_message_handler import RegexMessageHandler
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.training_data.message import Message

from bot.settings import PROJECT_ROOT

PLACEHOLDER = re.compile(r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*)\}(?!\})")


@pytest.fixture(scope="module")
def rasa_domain() -> Domain:
    return Domain.load(str(PROJECT_ROOT / "domain.yml"))


class Recorder:
    """Stands in for the interpolator's structlog logger and keeps every event it is given."""

    def __init__(self):
        self.events: list[tuple[str, str, dict]] = []

    def __getattr__(self, level):
        return lambda event, **fields: self.events.append((level, event, fields))


@pytest.fixture
def interpolator_log(monkeypatch) -> Recorder:
    recorder = Recorder()
    monkeypatch.setattr(interpolator, "structlogger", recorder)
    return recorder


def render(domain: Domain, name: str) -> list[dict]:
    """Every variation of response `name` as the Rasa server sends it, placeholders given values."""
    tracker = DialogueStateTracker.from_events("kiosk:a.b", [], slots=domain.slots)
    rendered = []
    for variation in domain.responses[name]:
        values = {key: f"<{key}>" for key in PLACEHOLDER.findall(str(variation))}
        nlg = TemplatedNaturalLanguageGenerator({name: [variation]})
        rendered.append(asyncio.run(nlg.generate(name, tracker, "rest", **values)))
    return rendered


def test_the_interpolator_logs_a_single_brace_payload_and_not_a_double_brace_one(interpolator_log):
    """The real function: the bug and its fix, independent of the domain's contents."""
    assert interpolator.interpolate_text('/ask_documents{"procedure": "x"}', {"a": 1}) == \
        '/ask_documents{"procedure": "x"}'
    assert [level for level, *_ in interpolator_log.events] == ["exception"]
    interpolator_log.events.clear()
    assert interpolator.interpolate_text('/ask_documents{{"procedure": "x"}}', {"a": 1}) == \
        '/ask_documents{"procedure": "x"}'
    assert interpolator_log.events == []


def test_every_response_renders_without_an_interpolator_error(rasa_domain, interpolator_log):
    for name in rasa_domain.responses:
        for message in render(rasa_domain, name):
            assert "{{" not in str(message) and "}}" not in str(message), name
    assert interpolator_log.events == []


def test_the_greeting_buttons_send_an_intent_with_its_entities(rasa_domain, interpolator_log):
    (greeting,) = render(rasa_domain, "utter_greet")
    handler = RegexMessageHandler()
    parsed = []
    for button in greeting["buttons"]:
        (message,) = handler.process([Message(data={"text": button["payload"]})], rasa_domain)
        parsed.append((message.get("intent")["name"],
                       {e["entity"]: e["value"] for e in message.get("entities") or []}))
    assert parsed == [
        ("ask_documents", {"procedure": "làm thẻ căn cước"}),
        ("ask_documents", {"procedure": "đăng ký khai sinh"}),
        ("ask_documents", {"procedure": "đăng ký thường trú"}),
        ("ask_documents", {"procedure": "đổi giấy phép lái xe"}),
        ("check_dossier", {}),
    ]
    assert interpolator_log.events == []


def test_every_button_payload_names_a_domain_intent_and_domain_entities(rasa_domain):
    handler = RegexMessageHandler()
    for name in rasa_domain.responses:
        for message in render(rasa_domain, name):
            for button in message.get("buttons") or []:
                if not button["payload"].startswith("/"):
                    continue
                (parsed,) = handler.process([Message(data={"text": button["payload"]})], rasa_domain)
                assert parsed.get("intent")["name"] in rasa_domain.intents, (name, button)
                entities = {e["entity"] for e in parsed.get("entities") or []}
                assert entities <= set(rasa_domain.entities), (name, button)
                assert ("{" in button["payload"]) == bool(entities), (name, button, "entities not read")
