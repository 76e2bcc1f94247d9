"""A fake Telegram Bot API server on 127.0.0.1 for the real python-telegram-bot; it records every call."""

from __future__ import annotations

import itertools
import json
import time

from aiohttp import web

from tests.fakes.server import FakeServer

BOT_USER = {"id": 4242, "is_bot": True, "first_name": "Trợ lý", "username": "tthc_test_bot"}


class FakeBotAPI(FakeServer):
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict]] = []
        self.updates: list[dict] = []
        # sendMessage calls (1, 2, ...) to answer with an error: call -> (HTTP status, description, parameters)
        self.refuse: dict[int, tuple[int, str, dict]] = {}
        self._send_calls = 0
        self._ids = itertools.count(100)
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        super().__init__(app)

    def sent(self, method: str = "sendMessage") -> list[dict]:
        return [params for name, params in self.calls if name == method]

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.content_type == "application/json":
            params = await request.json()
        else:
            params = {}
            for key, value in (await request.post()).items():
                try:
                    params[key] = json.loads(value) if key in ("reply_markup", "allowed_updates") else value
                except (TypeError, ValueError):
                    params[key] = value
        self.calls.append((method, params))
        if method == "getMe":
            return self._ok(BOT_USER)
        if method == "sendMessage":
            self._send_calls += 1
            if self._send_calls in self.refuse:
                status, description, parameters = self.refuse[self._send_calls]
                return web.json_response({"ok": False, "error_code": status, "description": description,
                                          "parameters": parameters}, status=status)
            message = {
                "message_id": next(self._ids),
                "date": int(time.time()),
                "chat": {"id": int(params["chat_id"]), "type": "private"},
                "from": BOT_USER,
                "text": params.get("text", ""),
            }
            if params.get("reply_markup"):
                message["reply_markup"] = params["reply_markup"]
            return self._ok(message)
        if method in ("answerCallbackQuery", "editMessageReplyMarkup", "deleteWebhook", "setWebhook"):
            return self._ok(True)
        if method == "getUpdates":
            updates, self.updates = self.updates, []
            return self._ok(updates)
        return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)

    @staticmethod
    def _ok(result) -> web.Response:
        return web.json_response({"ok": True, "result": result})
