"""Telegram channel on python-telegram-bot 22: long polling or webhook.

Messages from a chat go to Rasa's REST channel with the sender `telegram:<chat_id>`
(so dossier notifications queued for that conversation reach the same chat);
Rasa's buttons become an inline keyboard, one button per row; a citizen may also
type the number of a button. Replies longer than Telegram's 4096 characters are
split at line or sentence ends. Outgoing calls go through AIORateLimiter, which
keeps to Telegram's flood limits.

Queued notifications (table `outbox`, channel "telegram") are sent by a background
task every few seconds, marked sent right after a successful send, and retried
later with a growing delay when Telegram or the network fails. A retry of a
split notification starts after the pieces already delivered.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import hmac
import logging
import re
from typing import Any, Awaitable, Callable

from aiohttp import web
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.channels import outbox_delivery
from bot.channels.outbox_delivery import Failure, retry_delay, run_forever
from bot.channels.rasa_client import RasaClient, RasaUnavailable
from bot.core.conversations import sender_id
from bot.core.delivery import CHOOSE, NO_REPLY, BoundedMemory, Button, choice_from_text, latest_buttons, split_text
from bot.settings import Settings

log = logging.getLogger(__name__)

CHANNEL = "telegram"
TEXT_LIMIT = 4096
CALLBACK_DATA_LIMIT = 64
WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

BUSY = "Xin lỗi, hệ thống đang bận. Bạn thử lại sau ít phút."
EXPIRED_BUTTON = "Nút này đã cũ. Bạn gõ lại câu hỏi hoặc gõ /start để xem các chủ đề."
GREET_PAYLOAD = "/greet"

NOTIFY_INTERVAL = 5.0  # seconds between two looks at the outbox
RASA_TIMEOUT = 30  # seconds for Rasa to answer one message
SECRET_FORMAT = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what Telegram accepts as secret_token


class TelegramAdapter:
    """Handlers and per-process state (last buttons per chat, long callback payloads)."""

    def __init__(self, rasa: RasaClient):
        self.rasa = rasa
        self.last_buttons: BoundedMemory[list[Button]] = BoundedMemory()
        self.payloads: BoundedMemory[str] = BoundedMemory()

    # --- buttons ---------------------------------------------------------------

    def callback_data(self, payload: str) -> str:
        """The payload itself when it fits Telegram's 64 bytes, else a short key kept here."""
        if payload and len(payload.encode("utf-8")) <= CALLBACK_DATA_LIMIT and not payload.startswith("#"):
            return payload
        key = "#" + hashlib.sha1(payload.encode("utf-8")).hexdigest()[:16]
        self.payloads.remember(key, payload)
        return key

    def payload_for(self, data: str | None) -> str | None:
        if not data:
            return None
        if data.startswith("#"):
            return self.payloads.get(data)
        return data

    def keyboard(self, buttons: list[Button]) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup(
            [[InlineKeyboardButton(b.title[:64] or "…", callback_data=self.callback_data(b.payload))] for b in buttons]
        )

    # --- talking to Rasa -------------------------------------------------------

    async def converse(self, chat_id: int, message: str, bot) -> None:
        """Send one message to Rasa for this chat and deliver every reply to it."""
        try:
            replies = await self.rasa.send(sender_id(CHANNEL, chat_id), message)
        except RasaUnavailable as exc:
            log.warning("Rasa unreachable for telegram:%s: %s", chat_id, exc)
            await bot.send_message(chat_id=chat_id, text=BUSY)
            return
        for reply in replies:
            text, buttons = reply.text.strip(), list(reply.buttons)
            chunks = split_text(text, TEXT_LIMIT) if text else [CHOOSE]
            for i, chunk in enumerate(chunks):
                last = i == len(chunks) - 1
                markup = self.keyboard(buttons) if buttons and last else None
                await bot.send_message(chat_id=chat_id, text=chunk, reply_markup=markup)
        # A typed number means a button of the latest reply with buttons only; older buttons no longer count.
        shown = list(latest_buttons(replies))
        if shown:
            self.last_buttons.remember(chat_id, shown)
        else:
            self.last_buttons.forget(chat_id)
        if not replies:
            await bot.send_message(chat_id=chat_id, text=NO_REPLY)

    # --- handlers --------------------------------------------------------------

    async def on_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat = update.effective_chat
        if chat is None:
            return
        await self.converse(chat.id, GREET_PAYLOAD, context.bot)

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat, message = update.effective_chat, update.effective_message
        if chat is None or message is None or not message.text:
            return
        text = message.text
        choice = choice_from_text(text, self.last_buttons.get(chat.id, []))
        await self.converse(chat.id, choice or text, context.bot)

    async def on_callback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        with contextlib.suppress(TelegramError):
            await query.answer()
        chat_id = query.message.chat.id if query.message else query.from_user.id
        payload = self.payload_for(query.data)
        if payload is None:
            await context.bot.send_message(chat_id=chat_id, text=EXPIRED_BUTTON)
            return
        if query.message is not None:  # one tap per keyboard: remove it once chosen
            with contextlib.suppress(TelegramError):
                await query.edit_message_reply_markup(reply_markup=None)
        await self.converse(chat_id, payload, context.bot)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("Telegram handler failed", exc_info=context.error)
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is not None:
            with contextlib.suppress(Exception):
                await context.bot.send_message(chat_id=chat.id, text=BUSY)


# --- notifications ---------------------------------------------------------------


def _failure(msg, exc: Exception) -> Failure:
    if isinstance(exc, (Forbidden, BadRequest)):  # bot blocked, chat gone: retrying will not help
        log.warning("notification %s to telegram:%s refused: %s", msg.id, msg.recipient_id, exc)
        return Failure(str(exc), None)
    delay = retry_delay(msg.attempts)
    if isinstance(exc, RetryAfter):
        wait = exc.retry_after if isinstance(exc.retry_after, dt.timedelta) else dt.timedelta(seconds=exc.retry_after)
        delay = max(delay, wait)
    log.warning("notification %s to telegram:%s failed, retry in %ss: %s",
                msg.id, msg.recipient_id, int(delay.total_seconds()), exc)
    return Failure(f"{type(exc).__name__}: {exc}", delay)


async def deliver_due(bot, outbox, now: dt.datetime | None = None, limit: int = 20) -> int:
    """Send the Telegram notifications due now; returns how many were sent."""
    sent, _ = await outbox_delivery.deliver_due(
        outbox, CHANNEL, now=now, limit=limit, failure=_failure,
        pieces=lambda msg: split_text(msg.text, TEXT_LIMIT),
        send=lambda msg, chunk: bot.send_message(chat_id=msg.recipient_id, text=chunk))
    return sent


async def notification_loop(bot, outbox, interval: float = NOTIFY_INTERVAL) -> None:
    await run_forever(lambda: deliver_due(bot, outbox), interval, "Telegram")


# --- the application -----------------------------------------------------------


def build_application(settings: Settings, rasa_client: RasaClient | None = None, outbox=None) -> Application:
    """The python-telegram-bot Application with our handlers.

    `outbox` (an OutboxStore) enables the notification task, started when the
    application runs (post_init) and stopped at shutdown.
    """
    if not settings.telegram_bot_token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    adapter = TelegramAdapter(rasa_client or RasaClient(settings.rasa_url, RASA_TIMEOUT, settings.rasa_api_token))

    async def post_init(application: Application) -> None:
        if outbox is not None and "notification_task" not in application.bot_data:
            application.bot_data["notification_task"] = asyncio.create_task(
                notification_loop(application.bot, outbox))

    async def post_shutdown(application: Application) -> None:
        task = application.bot_data.pop("notification_task", None)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await adapter.rasa.close()

    builder = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token)
        .rate_limiter(AIORateLimiter(max_retries=2))
        .post_init(post_init)
        .post_shutdown(post_shutdown)
    )
    if settings.telegram_api_base:
        base = settings.telegram_api_base.rstrip("/")
        builder = builder.base_url(f"{base}/bot").base_file_url(f"{base}/file/bot")
    application = builder.build()
    application.bot_data["adapter"] = adapter
    application.add_handler(CommandHandler("start", adapter.on_start))
    application.add_handler(CallbackQueryHandler(adapter.on_callback))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, adapter.on_text))
    application.add_error_handler(adapter.on_error)
    return application


def build_webhook_app(application: Application, secret: str) -> web.Application:
    """aiohttp app with POST /telegram/webhook; the secret header must match or it is 403."""
    if not secret:
        raise ValueError("TELEGRAM_WEBHOOK_SECRET is required for webhook mode")
    if not SECRET_FORMAT.fullmatch(secret):
        raise ValueError("TELEGRAM_WEBHOOK_SECRET may only hold letters, digits, _ and - (at most 256)")
    expected = secret.encode("utf-8")

    async def webhook(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8")
        if not hmac.compare_digest(given, expected):
            return web.json_response({"ok": False, "error": "forbidden"}, status=403)
        try:
            data = await request.json()
            update = Update.de_json(data, application.bot)
        except Exception:
            return web.json_response({"ok": False, "error": "bad update"}, status=400)
        try:
            await application.process_update(update)
        except Exception:  # answered 200 anyway, or Telegram would resend the same update
            log.exception("processing webhook update failed")
        return web.json_response({"ok": True})

    async def health(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = web.Application()
    app.router.add_post(WEBHOOK_PATH, webhook)
    app.router.add_get("/health", health)
    return app


def run_polling(settings: Settings, outbox=None) -> None:
    application = build_application(settings, outbox=outbox)
    application.run_polling(allowed_updates=Update.ALL_TYPES)


async def serve_webhook(settings: Settings, host: str, port: int, outbox=None,
                        stop: Callable[[], Awaitable[Any]] | None = None) -> None:
    """Run the webhook server until `stop()` returns (default: forever)."""
    application = build_application(settings, outbox=outbox)
    site_app = build_webhook_app(application, settings.telegram_webhook_secret)
    await application.initialize()
    runner = web.AppRunner(site_app)
    try:
        if settings.telegram_webhook_url:
            url = settings.telegram_webhook_url.rstrip("/")
            if not url.endswith(WEBHOOK_PATH):
                url += WEBHOOK_PATH
            await application.bot.set_webhook(url=url, secret_token=settings.telegram_webhook_secret,
                                              allowed_updates=Update.ALL_TYPES)
        if application.post_init:
            await application.post_init(application)
        await runner.setup()
        await web.TCPSite(runner, host, port).start()
        if stop is None:
            await asyncio.Event().wait()
        else:
            await stop()
    finally:
        await runner.cleanup()
        await application.shutdown()
        if application.post_shutdown:
            await application.post_shutdown(application)
