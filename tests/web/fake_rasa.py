"""A stand-in for Rasa's REST channel and tracker endpoint on 127.0.0.1, for kiosk API tests.

It answers with scripted replies and records what it received, so the real
aiohttp client in the kiosk proxy is exercised over real HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aiohttp import web
from aiohttp.test_utils import TestServer

LONG_TEXT = "\n".join(f"{i}. Giấy tờ số {i} cần mang theo khi đi nộp hồ sơ tại bộ phận một cửa." for i in range(1, 13))


@dataclass
class FakeRasa:
    received: list[dict] = field(default_factory=list)
    slots: dict[str, dict] = field(default_factory=dict)
    server: TestServer | None = None
    api_token: str = ""  # like `rasa run --auth-token`: the tracker needs ?token=

    def reply(self, sender: str, message: str) -> list[dict]:
        if message == "/restart":
            self.slots.pop(sender, None)
            return []
        if message == "dài":
            return [{"recipient_id": sender, "text": LONG_TEXT, "buttons": [{"title": "Lệ phí", "payload": "/ask_fee"}]}]
        if message == "im lặng":
            return []
        if message == "hỏng":
            return [{"recipient_id": sender, "image": "x.png"}, "not a dict", {"text": 5, "buttons": [{"title": 1}]}]
        if "khai sinh" in message or "1.001193" in message:
            self.slots[sender] = {"procedure_code": "1.001193"}
            return [{"recipient_id": sender, "text": "Đăng ký khai sinh (mã 1.001193).",
                     "buttons": [{"title": "Lệ phí", "payload": '/ask_fee{"procedure_code": "1.001193"}'}]}]
        return [{"recipient_id": sender, "text": "Xin chào!"}]

    async def _webhook(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.received.append(body)
        return web.json_response(self.reply(body["sender"], body["message"]))

    async def _tracker(self, request: web.Request) -> web.Response:
        sender = request.match_info["sender"]
        if self.api_token and request.query.get("token") != self.api_token:
            return web.json_response({"status": "failure", "reason": "NotAuthenticated"}, status=401)
        return web.json_response({"sender_id": sender, "slots": self.slots.get(sender, {"procedure_code": None})})

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/webhooks/rest/webhook", self._webhook)
        app.router.add_get("/conversations/{sender}/tracker", self._tracker)
        self.server = TestServer(app, host="127.0.0.1")
        await self.server.start_server()
        return f"http://127.0.0.1:{self.server.port}"

    async def stop(self) -> None:
        if self.server is not None:
            await self.server.close()
