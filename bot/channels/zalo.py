"""Zalo Official Account (API v3) as a Rasa custom channel: POST /webhooks/zalo/webhook.

Zalo expects an answer within about 2 s, so a correctly signed event gets
200 `{"status": "ok"}` at once and is processed in the background. Only
`user_send_text` reaches the assistant; the OA's own echoes (`oa_send_*`) and
other events are acknowledged and ignored. A bad or missing
`X-ZEvent-Signature` gets 401 and nothing is processed; without a configured
app id and secret key the channel answers 503.

Replies go through the customer-service message API with the `access_token`
header. Rasa buttons become query buttons (at most 5, the rest numbered in the
text). A query button makes Zalo send its payload as the citizen's own visible
message, so intent payloads ("/ask_documents{...}") are replaced by the button
title and mapped back here; typing a number picks a button of the latest reply.

credentials.yml: `bot.channels.zalo.ZaloInput:` with optional keys app_id,
secret_key, access_token, api_base; missing keys come from ZALO_APP_ID,
ZALO_OA_SECRET_KEY, ZALO_ACCESS_TOKEN and ZALO_API_BASE.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import OrderedDict
from typing import Any, Awaitable, Callable, Sequence

import aiohttp
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.core.conversations import sender_id
from bot.core.delivery import Button, choice_from_text
from bot.core.zalo_signature import messages, verify

logger = logging.getLogger(__name__)

CHANNEL = "zalo"
SEND_PATH = "/v3.0/oa/message/cs"
SIGNATURE_HEADER = "X-ZEvent-Signature"
MAX_REMEMBERED = 10_000  # users whose latest buttons we keep in memory
MAX_SEEN_EVENTS = 10_000  # message ids already accepted (Zalo retries slow deliveries)
NOT_CONFIGURED = ("Kênh Zalo chưa được cấu hình: đặt ZALO_APP_ID, ZALO_OA_SECRET_KEY và ZALO_ACCESS_TOKEN "
                  "rồi khởi động lại trợ lý.")


class ZaloAPIError(Exception):
    """A failed send; `transient` when trying again later may help (HTTP 5xx, network)."""

    def __init__(self, code: int | str, message: str, transient: bool = False):
        super().__init__(f"Zalo API error {code}: {message}")
        self.code = code
        self.message = message
        self.transient = transient


class ZaloClient:
    """POSTs message bodies to {api_base}/v3.0/oa/message/cs; one retry for transient errors."""

    def __init__(self, access_token: str, api_base: str = "https://openapi.zalo.me",
                 retry_delay: float = 1.0, timeout: float = 15.0):
        self.access_token = access_token
        self.url = api_base.rstrip("/") + SEND_PATH
        self.retry_delay = retry_delay
        self.timeout = timeout

    async def send(self, body: dict) -> dict:
        try:
            return await self._post(body)
        except ZaloAPIError as exc:
            if not exc.transient:
                raise
            logger.warning("Zalo send failed (%s), retrying once in %.1f s", exc, self.retry_delay)
        await asyncio.sleep(self.retry_delay)
        return await self._post(body)

    async def send_all(self, bodies: Sequence[dict]) -> None:
        for body in bodies:
            await self.send(body)

    async def _post(self, body: dict) -> dict:
        if not self.access_token:
            raise ZaloAPIError("no-token", "ZALO_ACCESS_TOKEN is not set")
        try:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout)) as session:
                async with session.post(self.url, json=body, headers={"access_token": self.access_token}) as resp:
                    text = await resp.text()
                    status = resp.status
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
            raise ZaloAPIError("network", f"{type(exc).__name__}: {exc}", transient=True) from exc
        if status >= 500:
            raise ZaloAPIError(f"http-{status}", text[:300], transient=True)
        try:
            data = json.loads(text) if text else {}
        except ValueError:
            data = None
        if status >= 400 or not isinstance(data, dict):
            raise ZaloAPIError(f"http-{status}", text[:300])
        error = data.get("error", 0)
        if error not in (0, "0", None):
            logger.error("Zalo API error %s: %s", error, data.get("message", ""))
            raise ZaloAPIError(error, str(data.get("message", "")))
        return data


class ButtonMemory:
    """The latest buttons shown to each user (bounded, least recently used dropped)."""

    def __init__(self, size: int = MAX_REMEMBERED):
        self.size = size
        self._buttons: OrderedDict[str, list[Button]] = OrderedDict()

    def remember(self, user_id: str, buttons: list[Button]) -> None:
        self._buttons[user_id] = buttons
        self._buttons.move_to_end(user_id)
        while len(self._buttons) > self.size:
            self._buttons.popitem(last=False)

    def forget(self, user_id: str) -> list[Button]:
        return self._buttons.pop(user_id, [])

    def get(self, user_id: str) -> list[Button]:
        return self._buttons.get(user_id, [])

    def resolve(self, user_id: str, text: str) -> str:
        """The payload for a typed number or a tapped query button of the latest reply, else the text."""
        buttons = self.forget(user_id)
        choice = choice_from_text(text, buttons)
        if choice is not None:
            return choice
        cleaned = (text or "").strip()
        for button in buttons:
            if cleaned and cleaned == _display(button).payload:
                return button.payload
        return text


def _display(button: Button) -> Button:
    """What the query button carries: intent payloads would be shown to the citizen, so use the title."""
    if button.payload.startswith("/"):
        return Button(button.title, button.title.strip())
    return button


def _user_id(recipient_id: str) -> str:
    prefix = f"{CHANNEL}:"
    return recipient_id[len(prefix):] if recipient_id.startswith(prefix) else recipient_id


class ZaloOutput(OutputChannel):
    @classmethod
    def name(cls) -> str:
        return CHANNEL

    def __init__(self, client: ZaloClient, memory: ButtonMemory | None = None):
        self.client = client
        self.memory = memory or ButtonMemory()

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.client.send_all(messages(_user_id(recipient_id), text))

    async def send_text_with_buttons(self, recipient_id: str, text: str, buttons: list[dict], **kwargs: Any) -> None:
        user = _user_id(recipient_id)
        ours = [Button(str(b.get("title", "")), str(b.get("payload", b.get("title", "")))) for b in buttons or []]
        ours = [b for b in ours if b.title.strip()]
        if ours:
            self.memory.remember(user, ours)
        await self.client.send_all(messages(user, text, [_display(b) for b in ours]))


class ZaloInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: dict | None) -> "ZaloInput":
        from bot.settings import get_settings

        credentials = credentials or {}
        settings = get_settings()
        return cls(
            app_id=str(credentials.get("app_id") or settings.zalo_app_id or ""),
            secret_key=str(credentials.get("secret_key") or settings.zalo_oa_secret_key or ""),
            access_token=str(credentials.get("access_token") or settings.zalo_access_token or ""),
            api_base=str(credentials.get("api_base") or settings.zalo_api_base or "https://openapi.zalo.me"),
        )

    def __init__(self, app_id: str = "", secret_key: str = "", access_token: str = "",
                 api_base: str = "https://openapi.zalo.me"):
        self.app_id = app_id
        self.secret_key = secret_key
        self.client = ZaloClient(access_token, api_base)
        self.memory = ButtonMemory()
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._tasks: set[asyncio.Task] = set()

    @property
    def configured(self) -> bool:
        return bool(self.app_id and self.secret_key)

    def get_output_channel(self) -> OutputChannel:
        return ZaloOutput(self.client, self.memory)

    def _first_time(self, event: dict) -> bool:
        msg_id = str((event.get("message") or {}).get("msg_id") or "")
        if not msg_id:
            return True
        if msg_id in self._seen:
            return False
        self._seen[msg_id] = None
        while len(self._seen) > MAX_SEEN_EVENTS:
            self._seen.popitem(last=False)
        return True

    async def _process(self, event: dict, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        user = str((event.get("sender") or {}).get("id") or "")
        text = str((event.get("message") or {}).get("text") or "").strip()
        if not user or not text:
            return
        text = self.memory.resolve(user, text)
        message = UserMessage(
            text, self.get_output_channel(), sender_id(CHANNEL, user), input_channel=CHANNEL,
            metadata={"zalo_msg_id": (event.get("message") or {}).get("msg_id")},
        )
        try:
            await on_new_message(message)
        except Exception:  # noqa: BLE001 - a background task must log, not die silently
            logger.exception("Zalo: could not handle a message from %s", user)

    def _in_background(self, coroutine: Awaitable[None]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        zalo_webhook = Blueprint("zalo_webhook", __name__)

        @zalo_webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok", "configured": self.configured})

        @zalo_webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.configured:
                return response.json({"status": "error", "message": NOT_CONFIGURED}, status=503)
            raw = request.body or b""
            try:
                event = json.loads(raw)
            except ValueError:
                event = None
            if not isinstance(event, dict) or str(event.get("app_id", "")) != self.app_id or not verify(
                request.headers.get(SIGNATURE_HEADER), self.app_id, raw, event.get("timestamp"), self.secret_key
            ):
                logger.warning("Zalo: refused a webhook request with a bad or missing signature")
                return response.json({"status": "error", "message": "invalid signature"}, status=401)
            name = event.get("event_name")
            if name == "user_send_text" and self._first_time(event):
                self._in_background(self._process(event, on_new_message))
            elif name != "user_send_text":
                logger.debug("Zalo: ignored event %s", name)
            return response.json({"status": "ok"})

        return zalo_webhook
