"""A fake Zalo OA API on 127.0.0.1: records every /v3.0/oa/message/cs call and renews tokens at /v4/oa/access_token."""

from __future__ import annotations

import itertools

from aiohttp import web

from tests.fakes.server import FakeServer

TOKEN = "fake-oa-access-token"
APP_ID = "4312298743211234"
APP_SECRET = "fake-app-secret"
REFRESH = "fake-refresh-token-0"


class FakeZaloAPI(FakeServer):
    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.calls: list[dict] = []  # accepted bodies
        self.refused: list[dict] = []  # bodies answered with an error
        self.fail_http = 0  # how many calls to answer with HTTP 502
        self.api_error: tuple[int, str] | None = None  # answer every call with this Zalo error
        self._ids = itertools.count(1)
        self.refresh_token = REFRESH  # the one refresh token Zalo accepts now; each works once
        self.renewals: list[dict] = []  # every renewal request's form
        self._generations = itertools.count(1)
        app = web.Application()
        app.router.add_post("/v3.0/oa/message/cs", self._send)
        app.router.add_post("/v4/oa/access_token", self._renew)
        super().__init__(app)

    def to(self, user_id: str) -> list[dict]:
        return [c for c in self.calls if c.get("recipient", {}).get("user_id") == user_id]

    async def _renew(self, request: web.Request) -> web.Response:
        form = dict(await request.post())
        self.renewals.append(form)
        if (request.headers.get("secret_key") != APP_SECRET or form.get("app_id") != APP_ID
                or form.get("grant_type") != "refresh_token" or form.get("refresh_token") != self.refresh_token):
            return web.json_response({"error": -14014, "error_name": "Invalid refresh token",
                                      "error_description": "Refresh token is invalid or already used"})
        n = next(self._generations)
        self.token, self.refresh_token = f"access-{n}", f"refresh-{n}"
        return web.json_response({"access_token": self.token, "refresh_token": self.refresh_token,
                                  "expires_in": "90000"})

    async def _send(self, request: web.Request) -> web.Response:
        body = await request.json()
        if request.headers.get("access_token") != self.token:
            self.refused.append(body)
            return web.json_response({"error": -216, "message": "Access token is invalid"})
        if self.fail_http > 0:
            self.fail_http -= 1
            self.refused.append(body)
            return web.json_response({"error": -1, "message": "Bad Gateway"}, status=502)
        if self.api_error:
            self.refused.append(body)
            code, message = self.api_error
            return web.json_response({"error": code, "message": message})
        self.calls.append(body)
        return web.json_response({"error": 0, "message": "Success",
                                  "data": {"message_id": f"m{next(self._ids)}", "user_id": body["recipient"]["user_id"]}})
