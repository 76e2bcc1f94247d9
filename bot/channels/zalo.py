"""Zalo Official Account (API v3) as a Rasa custom channel: POST /webhooks/zalo/webhook.

Zalo expects an answer within about 2 s, so a correctly signed event gets
200 `{"status": "ok"}` at once and is processed in the background. Only
`user_send_text` reaches the assistant; the OA's own echoes (`oa_send_*`) and
other events are acknowledged and ignored. Without a configured app id and
secret key the channel answers 503. In order, before anything is processed:

- the body is read up to MAX_BODY_BYTES (413 beyond, never held whole);
- `X-ZEvent-Signature` is checked on the raw bytes (401 when bad or missing):
  nothing unsigned is parsed;
- the body is parsed (400 when it is not a JSON object within the depth cap)
  and its app id and top-level timestamp must be the signed ones (401);
- the timestamp must be within ZALO_EVENT_WINDOW_SECONDS of now (403 outside):
  a captured request cannot be replayed later;
- a `msg_id` already accepted (table processed_events, so across restarts) is
  acknowledged with 200 and not answered again: Zalo retries slow deliveries.

The citizen's text is cleaned (control characters, lone surrogates) and a
message longer than bot/core/inbound.MAX_MESSAGE_CHARS is answered with a
request for a shorter question instead of reaching the NLU.

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
import logging
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.http_body import read_capped
from bot.channels.zalo_api import ZaloClient, ZaloTokens
from bot.core.clock import now_utc
from bot.core.conversations import parse_sender, sender_id
from bot.core.delivery import BoundedMemory, Button, choice_from_text, parse_buttons
from bot.core.inbound import MESSAGE_TOO_LONG, Rejected, clean_text, is_too_long, read_json
from bot.core.zalo_messages import messages
from bot.core.zalo_signature import is_fresh, verify_raw

logger = logging.getLogger(__name__)

CHANNEL = "zalo"
SIGNATURE_HEADER = "X-ZEvent-Signature"
MAX_SEEN_EVENTS = 10_000  # message ids accepted lately, in memory before the database
MAX_BODY_BYTES = 64 * 1024  # a Zalo text event is about 1 kB; 2,000 characters fit many times over
MAX_USER_ID_CHARS = 64
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

        def events():
            from bot.app import build_engine
            from bot.db.event_store import ProcessedEventStore

            return ProcessedEventStore(build_engine(settings), keep=keep_events_for(settings.zalo_event_window_seconds))

        return cls(
            app_id=app_id,
            secret_key=str(credentials.get("secret_key") or settings.zalo_oa_secret_key or ""),
            access_token=zalo_tokens(settings, app_id,
                                     str(credentials.get("access_token") or settings.zalo_access_token or "")),
            api_base=str(credentials.get("api_base") or settings.zalo_api_base or "https://openapi.zalo.me"),
            window_seconds=settings.zalo_event_window_seconds,
            events=events,
        )

    def __init__(self, app_id: str = "", secret_key: str = "", access_token: str | ZaloTokens = "",
                 api_base: str = "https://openapi.zalo.me", window_seconds: int = 300,
                 events: Callable[[], Any] | None = None, clock: Callable[[], dt.datetime] = now_utc):
        """`events` builds the ProcessedEventStore on first use (None: ids kept in memory only);
        `clock` (aware) is what the event timestamps are compared with."""
        self.app_id = app_id
        self.secret_key = secret_key
        self.client = ZaloClient(access_token, api_base)
        self.memory: BoundedMemory[list[Button]] = BoundedMemory()
        self.window_seconds = window_seconds
        self.clock = clock
        self._make_events = events
        self._events = None
        self._seen: BoundedMemory[bool] = BoundedMemory(MAX_SEEN_EVENTS)
        self._tasks: set[asyncio.Task] = set()

    @property
    def configured(self) -> bool:
        return bool(self.app_id and self.secret_key)

    def get_output_channel(self) -> OutputChannel:
        return ZaloOutput(self.client, self.memory)

    def _recorded_first_time(self, msg_id: str) -> bool:
        if self._events is None:
            self._events = self._make_events()
        return self._events.first_time(CHANNEL, msg_id)

    async def _first_time(self, event: dict) -> bool:
        """False when this message id was accepted before (a retry or a replay), here or before a restart."""
        msg_id = (event.get("message") or {}).get("msg_id") if isinstance(event.get("message"), dict) else None
        msg_id = str(msg_id or "")
        if not msg_id:
            return True
        if msg_id in self._seen:
            return False
        self._seen.remember(msg_id, True)
        if self._make_events is None:
            return True
        try:
            return await asyncio.to_thread(self._recorded_first_time, msg_id)
        except Exception:  # noqa: BLE001 - the database is down: the memory above still stops retries
            logger.exception("Zalo: could not record message id %s in the database", msg_id)
            return True

    def _authentic(self, request: Request, raw: bytes) -> dict | Rejected:
        """The event of a signed, fresh request, or why it is refused. The body is parsed only once
        its signature is good."""
        timestamp = verify_raw(request.headers.get(SIGNATURE_HEADER), self.app_id, raw, self.secret_key)
        if timestamp is None:
            return Rejected(401, "invalid_signature", "invalid signature")
        try:
            event = read_json(raw, MAX_BODY_BYTES)
        except Rejected as refused:
            return refused
        if (not isinstance(event, dict) or str(event.get("app_id", "")) != self.app_id
                or str(event.get("timestamp", "")) != timestamp):
            return Rejected(401, "invalid_signature", "invalid signature")
        if not is_fresh(timestamp, self.clock(), self.window_seconds):
            return Rejected(403, "stale_event", "event timestamp outside the accepted window")
        return event

    async def _process(self, event: dict, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        sender, message = event.get("sender"), event.get("message")
        user = str((sender if isinstance(sender, dict) else {}).get("id") or "")
        raw_text = (message if isinstance(message, dict) else {}).get("text")
        text = clean_text(raw_text).strip() if isinstance(raw_text, str) else ""
        if not user or not text or len(user) > MAX_USER_ID_CHARS or clean_text(user) != user:
            return
        try:
            if is_too_long(text):
                await self.get_output_channel().send_text_message(sender_id(CHANNEL, user), MESSAGE_TOO_LONG)
                return
            text = resolve_choice(self.memory, user, text)
            await on_new_message(UserMessage(
                text, self.get_output_channel(), sender_id(CHANNEL, user), input_channel=CHANNEL,
                metadata={"zalo_msg_id": message.get("msg_id")},
            ))
        except Exception:  # noqa: BLE001 - a background task must log, not die silently
            logger.exception("Zalo: could not handle a message from %s", user)

    def _in_background(self, coroutine: Awaitable[None]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        zalo_webhook = Blueprint("zalo_webhook", __name__)

        def refuse(refused: Rejected) -> HTTPResponse:
            return response.json({"status": "error", "message": refused.message}, status=refused.status)

        @zalo_webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok", "configured": self.configured})

        @zalo_webhook.route("/webhook", methods=["POST"], stream=True)
        async def receive(request: Request) -> HTTPResponse:
            if not self.configured:
                return response.json({"status": "error", "message": NOT_CONFIGURED}, status=503)
            try:
                raw = await read_capped(request, MAX_BODY_BYTES)
            except Rejected as refused:
                return refuse(refused)
            event = self._authentic(request, raw)
            if isinstance(event, Rejected):
                logger.warning("Zalo: refused a webhook request (%s)", event.error)
                return refuse(event)
            name = event.get("event_name")
            if name == "user_send_text":
                if await self._first_time(event):
                    self._in_background(self._process(event, on_new_message))
                else:
                    logger.info("Zalo: ignored an event already accepted (a retry or a replay)")
            else:
                logger.debug("Zalo: ignored event %s", str(name)[:40])
            return response.json({"status": "ok"})

        return zalo_webhook


def keep_events_for(window_seconds: int) -> dt.timedelta:
    """How long accepted ids are kept: a day, or longer than an event can stay fresh
    (stamped up to a window ahead, accepted up to a window late)."""
    return max(dt.timedelta(days=1), dt.timedelta(seconds=3 * window_seconds))
