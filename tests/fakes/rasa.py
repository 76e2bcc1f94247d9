"""A stand-in for Rasa's HTTP server on 127.0.0.1: the REST channel and the tracker.

It answers from a script (message -> list of bot messages, else `default`),
records every message it received, and serves the slots kept in `slots`, so the
real aiohttp client (bot/channels/rasa_client.py) is exercised over real HTTP.
Subclass it and override `reply` for replies that depend on the conversation.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from tests.fakes.server import FakeServer


class FakeRasa(FakeServer):
    def __init__(self, script: dict[str, Any] | None = None, default: Any = None, api_token: str = "") -> None:
        self.script = script or {}
        self.default = default if default is not None else [{"text": "Tôi đã nhận câu hỏi."}]
        self.api_token = api_token  # like `rasa run --auth-token`: the tracker needs ?token=
        self.received: list[dict] = []
        self.slots: dict[str, dict] = {}  # sender -> slots of its tracker
        app = web.Application()
        app.router.add_post("/webhooks/rest/webhook", self._webhook)
        app.router.add_get("/conversations/{sender}/tracker", self._tracker)
        super().__init__(app)

    def reply(self, sender: str, message: str) -> Any:
        """What Rasa answers to `message` in conversation `sender`."""
        return self.script.get(message, self.default)

    async def _webhook(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.received.append(body)
        return web.json_response(self.reply(body.get("sender"), body.get("message")))

    async def _tracker(self, request: web.Request) -> web.Response:
        sender = request.match_info["sender"]
        if self.api_token and request.query.get("token") != self.api_token:
            return web.json_response({"status": "failure", "reason": "NotAuthenticated"}, status=401)
        return web.json_response({"sender_id": sender, "slots": self.slots.get(sender, {"procedure_code": None})})
