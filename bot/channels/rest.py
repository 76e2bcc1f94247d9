"""Rasa's REST channel behind a guard: POST /webhooks/rest/webhook, same URL and same answers.

    POST /webhooks/rest/webhook   {"sender": "...", "message": "..."}
    -> 200 [{"recipient_id", "text", "buttons", ...}, ...]   as Rasa's `rest` channel

Rasa's own channel answers an empty body, a JSON list or a NUL-laden sender
with a 500, and would take a 100 MB body. Here the body is read chunk by chunk
up to MAX_BODY_BYTES, then validated by bot/core/inbound.py:

- 413 over the cap, 400 for an empty or non-JSON body (whatever the content
  type: `curl -d` sends JSON as a form and keeps working), a body that is not
  an object, nesting deeper than the cap, a missing sender or one that is not
  a short string, a message that is not a string. Each error is JSON
  `{"error", "message"}` with a Vietnamese sentence.
- A message is cleaned (control characters removed, lone surrogates replaced)
  before Rasa sees it; a message longer than MAX_MESSAGE_CHARS gets a polite
  reply asking for a shorter question, in the normal 200 reply format, and
  never reaches the NLU.
- `metadata`, `input_channel` and Rasa's `?stream=true` mode are not supported:
  nothing of ours uses them.
- If the assistant fails while answering, the replies collected so far are
  returned (200, as Rasa does), with an apology when there are none; the log
  line names the conversation but never holds the citizen's text.

credentials.yml: `bot.channels.rest.GuardedRestInput:` instead of `rest:`.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.http_body import read_capped
from bot.core.inbound import MESSAGE_TOO_LONG, Rejected, is_too_long, rest_request

logger = logging.getLogger(__name__)

CHANNEL = "rest"
MAX_BODY_BYTES = 64 * 1024  # a 2,000-character message is at most 24 kB of escaped JSON
SORRY = "Xin lỗi, tôi gặp trục trặc khi trả lời. Bạn hỏi lại sau ít phút nhé."


def refusal(refused: Rejected) -> HTTPResponse:
    return response.json(refused.body(), status=refused.status, ensure_ascii=False)


class GuardedRestInput(InputChannel):
    """The `rest` channel (same name, same URL) with capped, validated input."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: dict | None) -> "GuardedRestInput":
        return cls()

    async def answer(self, on_new_message: Callable[[UserMessage], Awaitable[Any]],
                     sender: str, text: str) -> list[dict]:
        """The assistant's replies to `text` in conversation `sender`."""
        if is_too_long(text):
            return [{"recipient_id": sender, "text": MESSAGE_TOO_LONG}]
        collector = CollectingOutputChannel()
        try:
            await on_new_message(UserMessage(text, collector, sender, input_channel=self.name()))
        except asyncio.CancelledError:
            logger.error("REST: handling a message from %s timed out", sender)
        except Exception:  # noqa: BLE001 - the client gets what was said and an apology, the log the trace
            logger.exception("REST: could not handle a message from %s", sender)
            if not collector.messages:
                return [{"recipient_id": sender, "text": SORRY}]
        return collector.messages

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("guarded_rest_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"], stream=True)
        async def receive(request: Request) -> HTTPResponse:
            try:
                sender, text = rest_request(await read_capped(request, MAX_BODY_BYTES), MAX_BODY_BYTES)
            except Rejected as refused:
                return refusal(refused)
            return response.json(await self.answer(on_new_message, sender, text))

        return webhook
