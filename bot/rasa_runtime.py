"""Work the Rasa server repeats on every turn although once is enough.

`bot.cli.rasa_server` calls `install()` before Rasa starts. Profiled under 32
conversations at once, the Rasa server spends one core; a third of it went to
checking the action server's answers:

- Rasa 3.6 checks every answer with `jsonschema.validate(result, schema)`, which
  first checks the schema itself against its meta-schema and builds a new
  validator: about 95% of the check's cost. Here the validator is built, and the
  schema checked, once; each event is checked against the part of the schema for
  its kind only (the schema's `oneOf` tries all 23 kinds), which gives the same
  verdict; a bad answer is checked again in full and raises the same
  `ValidationError` with the same message.

- Rasa reads each message (tokenizer, featurizers, DIET) on its event loop, so
  no other conversation moves while TensorFlow computes. Here the reading runs
  on one thread of its own (the same code, one message at a time, always the same
  thread for the model); TensorFlow lets go of Python's lock while it computes,
  so the event loop goes on with other turns meanwhile.

- Rasa finds the class of each stored event (`Event.resolve_by_type`) by listing
  every subclass of `Event` again, for each event of each conversation read.
  Here the answer for each event name is kept after the first time (same class;
  an unknown name still raises or gets the default, as in Rasa).

Rasa is pinned (requirements.lock); `tests/test_rasa_runtime.py` fails if the
method replaced here changes shape.
"""

from __future__ import annotations

import asyncio
import copy
import functools
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Coroutine, Dict, Optional, Text, TypeVar

T = TypeVar("T")


def finish(coroutine: Coroutine[Any, Any, T]) -> T:
    """The result of a coroutine that never suspends, run without an event loop.

    Several Rasa methods are `async` in name only (their work blocks); this runs one
    on a worker thread. Raises RuntimeError if it does try to wait after all.
    """
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value
    coroutine.close()
    raise RuntimeError(f"{coroutine.__qualname__} waited for the event loop")


@functools.lru_cache(maxsize=1)
def action_result_validator():
    """A validator for `RemoteAction.action_response_format_spec()`, its schema checked once."""
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


@functools.lru_cache(maxsize=1)
def event_validators() -> tuple[Any, Dict[str, Any]]:
    """The answer schema without its `oneOf` over event kinds, and one validator per kind.

    Each of the schema's 23 event kinds fixes `event` to one name, so an event
    passes the `oneOf` exactly when it passes its own kind's part: checking that
    one part instead of all 23 gives the same verdict for a fraction of the work.
    """
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = copy.deepcopy(RemoteAction.action_response_format_spec())
    kinds = schema["properties"]["events"]["items"].pop("oneOf")
    validator_class = validator_for(schema)
    return validator_class(schema), {kind["properties"]["event"]["const"]: validator_class(kind) for kind in kinds}


def passes_schema(result: Any) -> bool:
    """Whether an action server answer passes Rasa's schema (same verdict as `action_result_validator`)."""
    answer, kinds = event_validators()
    if not answer.is_valid(result):
        return False
    for event in result.get("events") or []:
        kind = kinds.get(event["event"])
        if kind is None or not kind.is_valid(event):
            return False
    return True


def validate_action_result(self, result: Dict[Text, Any]) -> bool:
    """`RemoteAction._validate_action_result` with validators built once (same verdict, same errors)."""
    from jsonschema.exceptions import best_match
    from rasa.shared.constants import DOCS_BASE_URL

    if passes_schema(result):
        return True
    error = best_match(action_result_validator().iter_errors(result))
    if error is not None:
        error.message += (
            f". Failed to validate Action server response from API, "
            f"make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise error
    return True


@functools.lru_cache(maxsize=1)
def nlu_thread() -> ThreadPoolExecutor:
    """The one thread that reads messages with the model."""
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="nlu")


def parse_off_the_loop(parse_message):
    """`MessageProcessor.parse_message` run on `nlu_thread()` (unless an HTTP NLU server does the reading)."""

    @functools.wraps(parse_message)
    async def parse_message_in_thread(self, message, tracker: Optional[Any] = None,
                                      only_output_properties: bool = True) -> Dict[Text, Any]:
        if self.http_interpreter:
            return await parse_message(self, message, tracker, only_output_properties)
        return await asyncio.get_running_loop().run_in_executor(
            nlu_thread(), lambda: finish(parse_message(self, message, tracker, only_output_properties)))

    parse_message_in_thread.runs_off_the_loop = True
    return parse_message_in_thread


_event_classes: Dict[str, Any] = {}


def resolve_event_type(resolve_by_type):
    """`Event.resolve_by_type` remembering the class found for each event name."""

    @functools.wraps(resolve_by_type)
    def resolve(type_name: Text, default: Optional[Any] = None) -> Optional[Any]:
        found = _event_classes.get(type_name)
        if found is None:
            found = resolve_by_type(type_name, default)
            if getattr(found, "type_name", None) == type_name:  # not the default, not None
                _event_classes[type_name] = found
        return found

    resolve.remembers_classes = True
    return staticmethod(resolve)


def install() -> None:
    """Replace Rasa's per-turn work with the versions above (idempotent)."""
    from rasa.core.actions.action import RemoteAction
    from rasa.core.processor import MessageProcessor

    from rasa.shared.core.events import Event

    RemoteAction._validate_action_result = validate_action_result
    if not getattr(Event.resolve_by_type, "remembers_classes", False):
        Event.resolve_by_type = resolve_event_type(Event.resolve_by_type)
    if not getattr(MessageProcessor.parse_message, "runs_off_the_loop", False):
        MessageProcessor.parse_message = parse_off_the_loop(MessageProcessor.parse_message)
