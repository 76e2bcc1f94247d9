"""One Rasa input channel's blueprint served by a real Sanic server on 127.0.0.1, in the test's event loop.

Rasa mounts a channel as `app.blueprint(channel.blueprint(on_new_message),
url_prefix=channel.url_prefix())` under /webhooks; so does this, with the
test's own `on_new_message`, so a channel is tested over real HTTP in
milliseconds instead of through a Rasa server that takes a minute to start.
"""

from __future__ import annotations

import uuid
from typing import Any, Awaitable, Callable

from sanic import Sanic

from tests.e2e.servers import free_port

Sanic.test_mode = True  # several apps in one process


class ChannelServer:
    def __init__(self, channel, on_new_message: Callable[[Any], Awaitable[Any]]):
        self.app = Sanic(f"channel_{uuid.uuid4().hex[:12]}")
        self.app.config.ACCESS_LOG = False
        self.app.blueprint(channel.blueprint(on_new_message), url_prefix=f"/webhooks/{channel.url_prefix()}")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server = None

    async def start(self) -> "ChannelServer":
        self._server = await self.app.create_server(
            host="127.0.0.1", port=self.port, return_asyncio_server=True, debug=False)
        await self._server.startup()
        await self._server.start_serving()
        return self

    async def close(self) -> None:
        if self._server is not None:
            await self._server.close()
            await self._server.wait_closed()
