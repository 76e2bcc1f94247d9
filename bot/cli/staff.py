"""`bot staff add|disable|enable|password|list`: accounts of the staff console (/staff/ of `bot web`).

    bot staff add NAME --role staff|trainer|admin [--full-name "Nguyễn Văn A"]
    bot staff disable NAME [--reason TEXT]
    bot staff enable NAME
    bot staff password NAME        (sets a new password, e.g. for someone who forgot theirs)
    bot staff list

There is no default account and no default password: the first admin is made
here. A password is asked twice at the terminal (never an argument, so it stays
out of the shell history and the process list) and must pass the strength rules
of `bot.core.accounts`. Every change is in the audit log, by "dòng lệnh (USER)".
"""

from __future__ import annotations

import argparse
import getpass
import sys

from bot.cli.context import Context
from bot.cli.errors import CommandError
from bot.core.accounts import ROLES, AccountError, check_name
from bot.core.clock import format_day_time


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("staff", help="Tài khoản cán bộ của trang quản lý (/staff/)")
    actions = parser.add_subparsers(dest="staff_command", required=True)
    add = actions.add_parser("add", help="Thêm tài khoản (mật khẩu được hỏi hai lần)")
    add.add_argument("name", help="Tên đăng nhập, ví dụ nguyen.van.a")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--full-name", default=None, help="Họ tên hiển thị (mặc định: tên đăng nhập)")
    add.set_defaults(handler=_add)
    disable = actions.add_parser("disable", help="Khóa tài khoản (đăng xuất ngay mọi phiên)")
    disable.add_argument("name")
    disable.add_argument("--reason", default=None)
    disable.set_defaults(handler=_disable)
    enable = actions.add_parser("enable", help="Mở lại tài khoản đã khóa")
    enable.add_argument("name")
    enable.set_defaults(handler=_enable)
    password = actions.add_parser("password", help="Đặt mật khẩu mới cho tài khoản (hỏi hai lần)")
    password.add_argument("name")
    password.set_defaults(handler=_password)
    ls = actions.add_parser("list", help="Liệt kê tài khoản")
    ls.set_defaults(handler=_list)


def _actor() -> str:
    try:
        user = getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in some containers
        user = "không rõ"
    return f"dòng lệnh ({user})"


def ask_password(name: str) -> str:
    """The new password, typed twice without echo; CommandError when there is no terminal or they differ."""
    if not sys.stdin.isatty():
        raise CommandError("Cần nhập mật khẩu tại cửa sổ dòng lệnh (không đọc mật khẩu từ tệp hay ống dẫn).")
    first = getpass.getpass(f"Mật khẩu mới cho {name}: ")
    second = getpass.getpass("Nhập lại mật khẩu: ")
    if first != second:
        raise CommandError("Hai lần nhập mật khẩu không giống nhau. Chưa thay đổi gì.")
    return first


def _add(args: argparse.Namespace, ctx: Context) -> int:
    services = ctx.services()
    try:
        check_name(args.name)
        if services.accounts.get(args.name) is not None:
            raise CommandError(f"Tên đăng nhập '{args.name.strip().lower()}' đã có.")
        account = services.accounts.add(args.name, args.role, ask_password(args.name), actor=_actor(),
                                        full_name=args.full_name)
    except AccountError as exc:
        raise CommandError(f"{exc} Chưa thêm tài khoản.") from None
    print(f"Đã thêm tài khoản {account.name} ({account.role_label}). "
          f"Đăng nhập tại http://{services.settings.web_host}:{services.settings.web_port}/staff/")
    return 0


def _set_disabled(args: argparse.Namespace, ctx: Context, disabled: bool) -> int:
    try:
        account = ctx.services().accounts.set_disabled(args.name, disabled, actor=_actor(),
                                                       reason=getattr(args, "reason", None))
    except AccountError as exc:
        raise CommandError(str(exc)) from None
    print(f"Tài khoản {account.name} {'đã bị khóa' if disabled else 'đã được mở lại'}.")
    return 0


def _disable(args: argparse.Namespace, ctx: Context) -> int:
    return _set_disabled(args, ctx, True)


def _enable(args: argparse.Namespace, ctx: Context) -> int:
    return _set_disabled(args, ctx, False)


def _password(args: argparse.Namespace, ctx: Context) -> int:
    services = ctx.services()
    if services.accounts.get(args.name) is None:
        raise CommandError(f"Không có tài khoản '{args.name[:40]}'.")
    try:
        account = services.accounts.set_password(args.name, ask_password(args.name), actor=_actor())
    except AccountError as exc:
        raise CommandError(f"{exc} Chưa thay đổi gì.") from None
    print(f"Đã đặt mật khẩu mới cho {account.name}; các phiên đang mở của tài khoản này phải đăng nhập lại.")
    return 0


def _list(args: argparse.Namespace, ctx: Context) -> int:
    services = ctx.services()
    accounts = services.accounts.all()
    now = services.clock()
    for a in accounts:
        state = "đã khóa" if a.disabled else ("tạm khóa đến " + format_day_time(a.locked_until)
                                              if a.is_locked(now) else "đang dùng")
        last = format_day_time(a.last_login_at) if a.last_login_at else "chưa đăng nhập"
        print(f"{a.name:<20} {a.role:<8} {state:<28} lần cuối: {last}  {a.full_name}")
    print(f"{len(accounts)} tài khoản.")
    return 0
