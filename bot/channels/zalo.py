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
ZALO_OA_SECRET_KEY, ZALO_ACCESS_TOKEN and ZALO_API_BASE. With ZALO_APP_SECRET
and ZALO_REFRESH_TOKEN the access token renews itself (bot/channels/zalo_api.py).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.zalo_api import ZaloClient, ZaloTokens
from bot.core.clock import now_utc
from bot.core.conversations import parse_sender, sender_id
from bot.core.delivery import BoundedMemory, Button, choice_from_text, parse_buttons
from bot.core.zalo_messages import messages
from bot.core.zalo_signature import verify

logger = logging.getLogger(__name__)

CHANNEL = "zalo"
SIGNATURE_HEADER = "X-ZEvent-Signature"
MAX_SEEN_EVENTS = 10_000  # message ids already accepted (Zalo retries slow deliveries)
NOT_CONFIGURED = ("Kênh Zalo chưa được cấu hình: đặt ZALO_APP_ID, ZALO_OA_SECRET_KEY và ZALO_ACCESS_TOKEN "
                  "rồi khởi động lại trợ lý.")


def resolve_choice(memory: BoundedMemory[list[Button]], user_id: str, text: str) -> str:
    """The payload for a typed number or a tapped query button of the latest reply
    to this user, else the text. Either way those buttons no longer count."""
    buttons = memory.forget(user_id, [])
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
    """The Zalo user id of a "zalo:<user id>" conversation (a bare user id is kept as it is)."""
    parsed = parse_sender(recipient_id)
    return parsed[1] if parsed and parsed[0] == CHANNEL else recipient_id


class ZaloOutput(OutputChannel):
    @classmethod
    def name(cls) -> str:
        return CHANNEL

    def __init__(self, client: ZaloClient, memory: BoundedMemory[list[Button]] | None = None):
        self.client = client
        self.memory = BoundedMemory() if memory is None else memory

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.client.send_all(messages(_user_id(recipient_id), text))

    async def send_text_with_buttons(self, recipient_id: str, text: str, buttons: list[dict], **kwargs: Any) -> None:
        user = _user_id(recipient_id)
        ours = parse_buttons(buttons)
        if ours:
            self.memory.remember(user, ours)
        await self.client.send_all(messages(user, text, [_display(b) for b in ours]))


def zalo_tokens(settings, app_id: str | None = None, access_token: str | None = None,
                engine=None, clock: Callable[[], dt.datetime] = now_utc) -> ZaloTokens:
    """The Zalo tokens from settings; renewals are stored in `engine`'s database (default: the settings').

    `clock` (aware) decides when the access token is near its expiry.
    """

    def store():
        from bot.app import build_engine
        from bot.db.token_store import TokenStore

        return TokenStore(engine if engine is not None else build_engine(settings), clock=clock)

    return ZaloTokens(
        settings.zalo_access_token if access_token is None else access_token,
        app_id=settings.zalo_app_id if app_id is None else app_id,
        app_secret=settings.zalo_app_secret, refresh_token=settings.zalo_refresh_token,
        store=store, oauth_base=settings.zalo_oauth_base, clock=clock)


class ZaloInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: dict | None) -> "ZaloInput":
        from bot import log_redaction
        from bot.settings import get_settings

        # Rasa builds its channels once its logging is set up: from here on the
        # Rasa server's log lines are masked too (phone numbers, dossier codes).
        log_redaction.install()
        credentials = credentials or {}
        settings = get_settings()
        app_id = str(credentials.get("app_id") or settings.zalo_app_id or "")
        return cls(
            app_id=app_id,
            secret_key=str(credentials.get("secret_key") or settings.zalo_oa_secret_key or ""),
            access_token=zalo_tokens(settings, app_id,
                                     str(credentials.get("access_token") or settings.zalo_access_token or "")),
            api_base=str(credentials.get("api_base") or settings.zalo_api_base or "https://openapi.zalo.me"),
        )

    def __init__(self, app_id: str = "", secret_key: str = "", access_token: str | ZaloTokens = "",
                 api_base: str = "https://openapi.zalo.me"):
        self.app_id = app_id
        self.secret_key = secret_key
        self.client = ZaloClient(access_token, api_base)
        self.memory: BoundedMemory[list[Button]] = BoundedMemory()
        self._seen: BoundedMemory[bool] = BoundedMemory(MAX_SEEN_EVENTS)
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
        self._seen.remember(msg_id, True)
        return True

    async def _process(self, event: dict, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        user = str((event.get("sender") or {}).get("id") or "")
        text = str((event.get("message") or {}).get("text") or "").strip()
        if not user or not text:
            return
        text = resolve_choice(self.memory, user, text)
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
