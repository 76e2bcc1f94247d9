"""Work the Rasa server repeats on every turn although once is enough.

`bot.cli.rasa_server` calls `install()` before Rasa starts. Profiled under 32
conversations at once, the Rasa server spends one core; a third of it went to
checking the action server's answers:

- Rasa 3.6 checks every answer with `jsonschema.validate(result, schema)`, which
  first checks the schema itself against its meta-schema and builds a new
  validator: about 95% of the check's cost. Here the validator is built, and the
  schema checked, once; each answer is still checked against the same schema and
  a bad one raises the same `ValidationError` with the same message.

- Rasa reads each message (tokenizer, featurizers, DIET) on its event loop, so
  no other conversation moves while TensorFlow computes. Here the reading runs
  on one thread of its own (the same code, one message at a time, always the same
  thread for the model); TensorFlow lets go of Python's lock while it computes,
  so the event loop goes on with other turns meanwhile.

Rasa is pinned (requirements.lock); `tests/test_rasa_runtime.py` fails if the
method replaced here changes shape.
"""

from __future__ import annotations

import asyncio
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


def validate_action_result(self, result: Dict[Text, Any]) -> bool:
    """`RemoteAction._validate_action_result` with a validator built once (same errors)."""
    from jsonschema.exceptions import best_match
    from rasa.shared.constants import DOCS_BASE_URL

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


def install() -> None:
    """Replace Rasa's per-turn work with the versions above (idempotent)."""
    from rasa.core.actions.action import RemoteAction
    from rasa.core.processor import MessageProcessor

    RemoteAction._validate_action_result = validate_action_result
    if not getattr(MessageProcessor.parse_message, "runs_off_the_loop", False):
        MessageProcessor.parse_message = parse_off_the_loop(MessageProcessor.parse_message)
