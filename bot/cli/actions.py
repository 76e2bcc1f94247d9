"""`bot actions`: run the action server (`bot.action_server`); `bot run` starts it.

Listens on ACTION_HOST:ACTION_PORT (default 127.0.0.1:5055) and answers only
calls carrying ACTION_SERVER_SECRET, which the Rasa server sends from
`endpoints.yml`. `bot run` makes a random secret per run when none is set.
"""

from __future__ import annotations

import argparse
import logging

from bot.cli.context import Context
from bot.cli.errors import CommandError


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("actions", help="Chạy máy chủ hành động (cần ACTION_SERVER_SECRET)")
    parser.add_argument("--host", default=None, help="Địa chỉ nghe (mặc định ACTION_HOST hoặc 127.0.0.1)")
    parser.add_argument("--port", type=int, default=None, help="Cổng (mặc định ACTION_PORT hoặc 5055)")
    parser.set_defaults(handler=_actions)


def _actions(args: argparse.Namespace, ctx: Context) -> int:
    from bot import log_redaction
    from bot.action_server import serve

    settings = ctx.settings()
    if not settings.action_server_secret:
        raise CommandError("Chưa đặt ACTION_SERVER_SECRET. Máy chủ Rasa gửi chuỗi bí mật này (endpoints.yml) "
                           "trong mỗi lần gọi; `bot run` tự tạo khi chưa đặt.")
    log_redaction.install(logging.INFO)
    host = args.host or settings.action_host
    port = args.port or settings.action_port
    try:
        serve(host, port, settings.action_server_secret, settings.action_workers)
    except OSError as exc:
        raise CommandError(f"Không mở được cổng {host}:{port}: {exc}") from None
    return 0
