"""`bot web`: run the web app (dossier push API, and the pages other features add).

Listens on WEB_HOST:WEB_PORT (default 127.0.0.1:5056); `bot run` starts it.
"""

from __future__ import annotations

import argparse
import logging

from bot import log_redaction
from bot.cli.context import Context
from bot.cli.errors import CommandError


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("web", help="Chạy máy chủ web (API đẩy hồ sơ, ...)")
    parser.add_argument("--host", default=None, help="Địa chỉ nghe (mặc định WEB_HOST hoặc 127.0.0.1)")
    parser.add_argument("--port", type=int, default=None, help="Cổng (mặc định WEB_PORT hoặc 5056)")
    parser.set_defaults(handler=_web)


def _web(args: argparse.Namespace, ctx: Context) -> int:
    from aiohttp import web

    from bot.web.app import create_app

    log_redaction.install(logging.INFO)
    settings = ctx.settings()
    host = args.host or settings.web_host
    port = args.port or settings.web_port
    if not settings.dossier_api_token:
        print("Chú ý: chưa đặt DOSSIER_API_TOKEN, API đẩy hồ sơ sẽ từ chối mọi yêu cầu (401).")
    services = ctx.services()
    services.load_catalog_if_empty()
    try:
        web.run_app(create_app(services), host=host, port=port, print=lambda msg: print(msg, flush=True))
    except OSError as exc:
        raise CommandError(f"Không mở được cổng {host}:{port}: {exc}") from None
    return 0
