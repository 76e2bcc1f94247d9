"""`bot office check`: validate the deployment file (data/deployment.yml) staff edit."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli.context import Context
from bot.cli.errors import CommandError
from bot.core.office import DeploymentError, load_office


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("office", help="Thông tin nơi triển khai (data/deployment.yml)")
    actions = parser.add_subparsers(dest="office_command", required=True)
    check = actions.add_parser("check", help="Kiểm tra tệp thông tin nơi triển khai")
    check.add_argument("--file", type=Path, default=None)
    check.set_defaults(handler=_check)


def _check(args: argparse.Namespace, ctx: Context) -> int:
    path = args.file or ctx.settings().deployment_file
    try:
        office = load_office(path)
    except DeploymentError as exc:
        raise CommandError(str(exc)) from None
    print(f"Tệp {path} hợp lệ.")
    print(f"  {office.name}")
    print(f"  Địa chỉ: {office.address}")
    print(f"  Quầy: {office.desk}. Đường dây nóng: {office.hotline}")
    print(f"  Giờ làm việc: {office.hours_summary()}")
    if office.example:
        print("Chú ý: tệp vẫn đang là VÍ DỤ (example: true). Hãy điền thông tin thật rồi đổi thành example: false.")
    return 0
