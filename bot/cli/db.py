"""`bot db upgrade`: bring the database schema to the latest migration."""

from __future__ import annotations

import argparse

from bot.cli.context import Context


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("db", help="Cơ sở dữ liệu")
    actions = parser.add_subparsers(dest="db_command", required=True)
    actions.add_parser("upgrade", help="Cập nhật cấu trúc cơ sở dữ liệu").set_defaults(handler=_upgrade)


def _upgrade(args: argparse.Namespace, ctx: Context) -> int:
    from bot.app import build_engine

    build_engine(ctx.settings(), migrate=True).dispose()
    print("Cơ sở dữ liệu đã ở phiên bản mới nhất.")
    return 0
