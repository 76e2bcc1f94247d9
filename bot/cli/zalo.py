"""`bot zalo-worker`: deliver queued notifications to Zalo users every few seconds.

Needs ZALO_ACCESS_TOKEN, or ZALO_APP_ID + ZALO_APP_SECRET + ZALO_REFRESH_TOKEN
so the token renews itself; `bot run` starts it when either is set. Incoming
Zalo messages are handled by the Rasa server itself (/webhooks/zalo/webhook).
"""

from __future__ import annotations

import argparse
import logging
import asyncio

from bot import log_redaction
from bot.cli.context import Context
from bot.cli.errors import CommandError


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("zalo-worker", help="Gửi thông báo đang chờ tới người dùng Zalo")
    parser.add_argument("--interval", type=float, default=5.0, help="Số giây giữa hai lượt gửi (mặc định 5)")
    parser.add_argument("--once", action="store_true", help="Gửi một lượt rồi dừng")
    parser.set_defaults(handler=_worker)


def _worker(args: argparse.Namespace, ctx: Context) -> int:
    from bot.channels.zalo import zalo_tokens
    from bot.channels.zalo_api import ZaloClient
    from bot.channels.zalo_worker import deliver_due, run_forever

    log_redaction.install(logging.INFO)
    settings = ctx.settings()
    if not settings.zalo_can_send:
        raise CommandError("Chưa đặt ZALO_ACCESS_TOKEN (hoặc ZALO_APP_ID, ZALO_APP_SECRET và ZALO_REFRESH_TOKEN "
                           "để mã tự gia hạn). Xem docs/channels.md.")
    if args.interval <= 0:
        raise CommandError("--interval phải lớn hơn 0.")
    services = ctx.services()
    services.load_catalog_if_empty()
    outbox = services.outbox
    client = ZaloClient(zalo_tokens(settings, engine=services.engine, clock=services.clock), settings.zalo_api_base)
    if args.once:
        sent, failed = asyncio.run(deliver_due(outbox, client))
        print(f"Đã gửi {sent} thông báo Zalo, {failed} thất bại (sẽ thử lại).")
        return 0
    print("Kênh Zalo: đang gửi thông báo chờ gửi. Nhấn Ctrl+C để dừng.", flush=True)
    asyncio.run(run_forever(outbox, client, args.interval))
    return 0
