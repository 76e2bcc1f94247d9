"""`bot procedures load`: validate the YAML catalog and store it in the database."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli.context import Context
from bot.cli.errors import CommandError
from bot.core.catalog import CatalogError


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("procedures", help="Danh mục thủ tục")
    actions = parser.add_subparsers(dest="procedures_command", required=True)
    load = actions.add_parser("load", help="Nạp danh mục từ data/procedures vào cơ sở dữ liệu")
    load.add_argument("--dir", type=Path, default=None, help="Thư mục chứa các tệp YAML")
    load.set_defaults(handler=_load)


def _load(args: argparse.Namespace, ctx: Context) -> int:
    try:
        count = ctx.services().load_catalog(args.dir)
    except CatalogError as exc:
        raise CommandError(str(exc)) from None
    print(f"Đã nạp {count} thủ tục vào cơ sở dữ liệu.")
    return 0
