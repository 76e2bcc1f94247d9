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
        self.fail_send = 0  # how many sendMessage calls to fail with a 502
        self.fail_calls: set[int] = set()  # which sendMessage calls (1, 2, ...) fail with a 502
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
            if self.fail_send > 0 or self._send_calls in self.fail_calls:
                self.fail_send = max(0, self.fail_send - 1)
                return web.json_response({"ok": False, "error_code": 502, "description": "Bad Gateway"},
                                         status=502)
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
