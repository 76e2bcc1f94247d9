"""`bot telegram`: run the Telegram channel (long polling, or `--webhook`).

Needs TELEGRAM_BOT_TOKEN (from @BotFather) and a running Rasa server; `bot run`
starts it when the token is set. Webhook mode also needs TELEGRAM_WEBHOOK_SECRET
and, to register the webhook with Telegram, TELEGRAM_WEBHOOK_URL (public https
address that a reverse proxy forwards to --host:--port).
"""

from __future__ import annotations

import argparse
import logging
import asyncio

from bot import log_redaction
from bot.cli.context import Context
from bot.cli.errors import CommandError

DEFAULT_WEBHOOK_PORT = 5057


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("telegram", help="Chạy kênh Telegram (mặc định long polling)")
    parser.add_argument("--webhook", action="store_true",
                        help="Nhận cập nhật qua webhook thay vì long polling (cần TELEGRAM_WEBHOOK_SECRET)")
    parser.add_argument("--host", default="127.0.0.1", help="Địa chỉ nghe của webhook (mặc định 127.0.0.1)")
    parser.add_argument("--port", type=int, default=DEFAULT_WEBHOOK_PORT,
                        help=f"Cổng của webhook (mặc định {DEFAULT_WEBHOOK_PORT})")
    parser.set_defaults(handler=_telegram)


def _telegram(args: argparse.Namespace, ctx: Context) -> int:
    from bot.channels import telegram

    log_redaction.install(logging.INFO)
    settings = ctx.settings()
    if not settings.telegram_bot_token:
        raise CommandError("Chưa đặt TELEGRAM_BOT_TOKEN. Lấy mã bot từ @BotFather rồi đặt biến môi trường này.")
    services = ctx.services()
    services.load_catalog_if_empty()
    outbox = services.outbox
    if not args.webhook:
        print("Kênh Telegram đang chạy (long polling). Nhấn Ctrl+C để dừng.", flush=True)
        telegram.run_polling(settings, outbox=outbox)
        return 0
    if not settings.telegram_webhook_secret:
        raise CommandError("Chế độ webhook cần TELEGRAM_WEBHOOK_SECRET (một chuỗi bí mật tự chọn).")
    if not telegram.SECRET_FORMAT.fullmatch(settings.telegram_webhook_secret):
        raise CommandError("TELEGRAM_WEBHOOK_SECRET chỉ được gồm chữ cái không dấu, chữ số, _ và - (tối đa 256 ký tự).")
    print(f"Kênh Telegram đang chạy (webhook): http://{args.host}:{args.port}{telegram.WEBHOOK_PATH}", flush=True)
    if not settings.telegram_webhook_url:
        print("Chú ý: chưa đặt TELEGRAM_WEBHOOK_URL, nên chưa đăng ký webhook với Telegram.", flush=True)
    try:
        asyncio.run(telegram.serve_webhook(settings, args.host, args.port, outbox=outbox))
    except OSError as exc:
        raise CommandError(f"Không mở được cổng {args.host}:{args.port}: {exc}") from None
    return 0
