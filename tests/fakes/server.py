"""The common part of the fake services: an aiohttp app served on 127.0.0.1 for one test."""

from __future__ import annotations

from typing import TypeVar

from aiohttp import web
from aiohttp.test_utils import TestServer

Self = TypeVar("Self", bound="FakeServer")


class FakeServer:
    def __init__(self, app: web.Application) -> None:
        self.server = TestServer(app, host="127.0.0.1")

    @property
    def port(self) -> int:
        return self.server.port

    @property
    def base(self) -> str:
        """The server's URL, without a trailing slash."""
        return f"http://127.0.0.1:{self.port}"

    async def start(self: Self) -> Self:
        await self.server.start_server()
        return self

    async def close(self) -> None:
        await self.server.close()
