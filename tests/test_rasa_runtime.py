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
