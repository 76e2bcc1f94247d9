"""The Rasa server's speed-ups keep Rasa's behaviour: same checks, same errors."""

from __future__ import annotations

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

from bot import rasa_runtime

GOOD = {
    "events": [{"event": "slot", "name": "procedure_code", "value": "1.001193", "timestamp": None}],
    "responses": [{"text": "Đăng ký khai sinh", "buttons": [{"title": "Lệ phí", "payload": "/ask_fee"}]}],
}
BAD = [
    {"events": [{"event": "slot", "value": "1.001193"}], "responses": []},  # a slot event without its name
    {"events": [{"event": "no_such_event"}], "responses": []},
    {"events": "not a list", "responses": []},
    {"events": [], "responses": ["not an object"]},
]


@pytest.fixture
def action():
    rasa_runtime.install()
    return RemoteAction("action_answer_procedure", None)


def test_install_replaces_rasas_check_of_action_answers():
    rasa_runtime.install()
    assert RemoteAction._validate_action_result is rasa_runtime.validate_action_result


def test_a_good_answer_passes(action):
    assert action._validate_action_result(GOOD) is True
    assert action._validate_action_result({"events": [], "responses": []}) is True


@pytest.mark.parametrize("answer", BAD)
def test_a_bad_answer_raises_the_error_rasa_raises(action, answer):
    with pytest.raises(jsonschema.ValidationError) as rasa_error:
        jsonschema.validate(answer, RemoteAction.action_response_format_spec())
    with pytest.raises(jsonschema.ValidationError) as ours:
        action._validate_action_result(answer)
    assert ours.value.message.startswith(rasa_error.value.message + ". Failed to validate Action server response")
    assert list(ours.value.path) == list(rasa_error.value.path)


def test_the_schema_is_checked_and_the_validator_built_once(action):
    assert rasa_runtime.action_result_validator() is rasa_runtime.action_result_validator()
    assert rasa_runtime.action_result_validator().schema == RemoteAction.action_response_format_spec()


def test_finish_runs_a_coroutine_that_never_waits_and_refuses_one_that_does():
    import asyncio

    async def blocking_in_name_only():
        return 42

    async def waits():
        await asyncio.sleep(0)

    assert rasa_runtime.finish(blocking_in_name_only()) == 42
    with pytest.raises(RuntimeError, match="waited for the event loop"):
        rasa_runtime.finish(waits())


class _Processor:
    def __init__(self, http_interpreter=None):
        self.http_interpreter = http_interpreter
        self.threads = []

    async def parse_message(self, message, tracker=None, only_output_properties=True):
        import threading

        self.threads.append(threading.current_thread().name)
        return {"text": message, "only_output_properties": only_output_properties}


async def test_messages_are_read_on_the_nlu_thread_with_the_same_arguments_and_result():
    parse = rasa_runtime.parse_off_the_loop(_Processor.parse_message)
    processor = _Processor()
    assert await parse(processor, "xin chào", None, False) == {"text": "xin chào", "only_output_properties": False}
    assert await parse(processor, "cảm ơn") == {"text": "cảm ơn", "only_output_properties": True}
    assert [name.startswith("nlu") for name in processor.threads] == [True, True]


async def test_an_http_nlu_server_is_still_awaited_on_the_event_loop():
    import threading

    parse = rasa_runtime.parse_off_the_loop(_Processor.parse_message)
    processor = _Processor(http_interpreter=object())
    await parse(processor, "xin chào")
    assert processor.threads == [threading.current_thread().name]


def test_install_wraps_rasas_parse_message_once():
    from rasa.core.processor import MessageProcessor

    rasa_runtime.install()
    installed = MessageProcessor.parse_message
    rasa_runtime.install()
    assert MessageProcessor.parse_message is installed
    assert installed.runs_off_the_loop


def test_event_classes_are_remembered_and_unknown_names_behave_as_in_rasa():
    from rasa.shared.core.events import Event, SlotSet, UserUttered

    rasa_runtime.install()
    rasa_runtime.install()  # twice: still one wrapper
    assert getattr(Event.resolve_by_type, "remembers_classes", False)
    assert Event.resolve_by_type("slot") is SlotSet
    assert rasa_runtime._event_classes["slot"] is SlotSet
    assert Event.resolve_by_type("topic") is None
    assert Event.resolve_by_type("no_such_event", UserUttered) is UserUttered
    assert "no_such_event" not in rasa_runtime._event_classes
    with pytest.raises(ValueError, match="Unknown event name"):
        Event.resolve_by_type("no_such_event")
    assert Event.from_parameters({"event": "slot", "name": "procedure_code", "value": "1.001193"}) == \
        SlotSet("procedure_code", "1.001193")


AGREEMENT = [
    GOOD,
    *BAD,
    {"events": [{"event": "followup", "name": "action_listen"}, {"event": "active_loop", "name": None}]},
    {"events": [{"event": "bot", "text": "Chào bạn", "data": {}, "metadata": {}}], "responses": []},
    {"events": [{"event": "user", "text": "hi", "parse_data": {"entities": [{"entity": "procedure"}]}}]},
    {"events": [{"event": "slot", "name": 3, "value": 1}]},
    {"events": [{"name": "x"}]},
    {"events": [{"event": "reset_slots"}, {"event": "session_started", "timestamp": "soon"}]},
    {"events": [{"event": "restart", "metadata": []}]},
    {"events": [["not", "an", "event"]]},
    {"events": []},
    {},
    [],
    "text",
]


@pytest.mark.parametrize("answer", AGREEMENT)
def test_checking_one_event_kind_gives_the_verdict_of_the_whole_schema(answer):
    spec = RemoteAction.action_response_format_spec()
    whole = rasa_runtime.action_result_validator()
    assert rasa_runtime.passes_schema(answer) == whole.is_valid(answer)
    assert whole.schema == spec
