"""Talking to Rasa over HTTP (aiohttp): the one client the Telegram adapter, the
kiosk and `bot chat` use.

- `send(sender, message)`: Rasa's REST channel (POST /webhooks/rest/webhook),
  one message in, the bot's replies out as typed `Reply` values
  (bot/core/delivery.py). Any failure (Rasa down or slow, an HTTP error, an
  answer that is not a JSON list) raises `RasaUnavailable`; each caller says
  so to its citizen in its own way.
- `slot(sender, name)`: one slot of a conversation's tracker (Rasa's HTTP API,
  which needs the API token when Rasa runs with --auth-token); None when it
  cannot be read.

The HTTP session is opened on first use and closed by `close()`.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote

import aiohttp

from bot.core.delivery import Reply, parse_replies

TRACKER_TIMEOUT = 5  # seconds; the tracker is a nicety, a reply must not wait for it


class RasaUnavailable(Exception):
    """Rasa did not answer, or answered something other than a list of messages."""


class RasaClient:
    def __init__(self, url: str, timeout: float = 30, api_token: str = ""):
        self.url = url.rstrip("/")
        self.api_token = api_token
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session

    async def send(self, sender: str, message: str, metadata: dict | None = None) -> list[Reply]:
        """The bot's replies to `message` in conversation `sender` (malformed ones dropped).

        `metadata` travels with the message to the actions (the kiosk sends its client's address).
        """
        body: dict = {"sender": sender, "message": message}
        if metadata:
            body["metadata"] = metadata
        try:
            async with self._http().post(f"{self.url}/webhooks/rest/webhook", json=body) as response:
                if response.status != 200:
                    raise RasaUnavailable(f"Rasa REST answered HTTP {response.status}")
                data = await response.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            raise RasaUnavailable(f"{type(exc).__name__}: {exc}") from exc
        if not isinstance(data, list):
            raise RasaUnavailable(f"unexpected reply from Rasa: {data!r:.200}")
        return parse_replies(data)

    async def slot(self, sender: str, name: str) -> Any:
        """The value of slot `name` in conversation `sender`, or None when it cannot be read."""
        params = {"include_events": "NONE", **({"token": self.api_token} if self.api_token else {})}
        try:
            async with self._http().get(
                f"{self.url}/conversations/{quote(sender, safe='')}/tracker",
                params=params, timeout=aiohttp.ClientTimeout(total=TRACKER_TIMEOUT),
            ) as response:
                if response.status != 200:
                    return None
                tracker = await response.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
            return None
        slots = tracker.get("slots") if isinstance(tracker, dict) else None
        return slots.get(name) if isinstance(slots, dict) else None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
