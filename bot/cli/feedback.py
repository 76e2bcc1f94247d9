"""`bot feedback list|show|answer|export`: staff read and answer citizens' feedback.

    bot feedback list [--status received|answered] [--limit N]
    bot feedback show PAKN-YYYYMMDD-NNNN
    bot feedback answer PAKN-YYYYMMDD-NNNN "TEXT"
    bot feedback export FILE.csv

An answer is queued to the citizen's conversation when its channel can push
(Telegram, Zalo). Contacts are shown masked, never whole. Times are shown in
Vietnam time; the export writes them as ISO 8601 with their +07:00 offset.
Exported text that a spreadsheet would run as a formula (a citizen's "=...")
starts with a single quote (`bot.core.spreadsheet`).
"""

from __future__ import annotations

import argparse
import csv
import io
from pathlib import Path

from bot.cli.context import Context
from bot.cli.errors import CommandError
from bot.cli.files import write_file
from bot.core.clock import format_day_time, to_local
from bot.core.contact import mask_contact
from bot.core.feedback import ANSWERED, RECEIVED, FeedbackError, Ticket, normalize_ticket
from bot.core.spreadsheet import safe_row

PREVIEW = 60
EXPORT_FIELDS = ("ticket", "created_at", "status", "channel", "about", "dossier_code", "content", "contact",
                 "answer", "answered_at")


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("feedback", help="Phản ánh, kiến nghị của người dân")
    actions = parser.add_subparsers(dest="feedback_command", required=True)
    ls = actions.add_parser("list", help="Liệt kê phiếu, mới nhất trước")
    ls.add_argument("--status", choices=(RECEIVED, ANSWERED), default=None)
    ls.add_argument("--limit", type=int, default=50)
    ls.set_defaults(handler=_list)
    show = actions.add_parser("show", help="Xem một phiếu")
    show.add_argument("ticket")
    show.set_defaults(handler=_show)
    answer = actions.add_parser("answer", help="Trả lời một phiếu (gửi cho người dân nếu kênh cho phép)")
    answer.add_argument("ticket")
    answer.add_argument("text")
    answer.set_defaults(handler=_answer)
    export = actions.add_parser("export", help="Xuất mọi phiếu ra tệp CSV (UTF-8)")
    export.add_argument("file", type=Path)
    export.set_defaults(handler=_export)


def _get(services, ticket: str) -> Ticket:
    if normalize_ticket(ticket) is None:
        raise CommandError(f"Số phiếu '{ticket[:40]}' không đúng dạng PAKN-YYYYMMDD-NNNN.")
    found = services.feedback.get(ticket)
    if found is None:
        raise CommandError(f"Không có phiếu {normalize_ticket(ticket)}.")
    return found


def _preview(text: str) -> str:
    return text if len(text) <= PREVIEW else text[:PREVIEW - 1] + "…"


def _list(args: argparse.Namespace, ctx: Context) -> int:
    if args.limit < 1:
        raise CommandError("--limit phải là số dương.")
    tickets = ctx.services().feedback.list(status=args.status, limit=args.limit)
    if not tickets:
        print("Chưa có phiếu nào.")
        return 0
    for t in tickets:
        print(f"{t.ticket}  {format_day_time(t.created_at)}  {t.status_label:<32}  {_preview(t.content)}")
    return 0


def _show(args: argparse.Namespace, ctx: Context) -> int:
    t = _get(ctx.services(), args.ticket)
    lines = [
        f"Số phiếu:   {t.ticket}",
        f"Ngày gửi:   {format_day_time(t.created_at)}",
        f"Tình trạng: {t.status_label}",
        f"Kênh:       {t.channel}",
        f"Liên quan:  {t.about or '-'}",
        f"Liên hệ:    {mask_contact(t.contact)}",
        f"Nội dung:   {t.content}",
    ]
    if t.answer:
        lines += [f"Trả lời ({format_day_time(t.answered_at)}): {t.answer}"]
    print("\n".join(lines))
    return 0


def _answer(args: argparse.Namespace, ctx: Context) -> int:
    services = ctx.services()
    _get(services, args.ticket)
    try:
        ticket, queued = services.feedback.answer(args.ticket, args.text)
    except FeedbackError as exc:
        raise CommandError(str(exc)) from None
    print(f"Đã lưu câu trả lời cho phiếu {ticket.ticket}.")
    if queued:
        print(f"Câu trả lời sẽ được gửi cho người dân qua {ticket.channel}.")
    else:
        print(f"Kênh {ticket.channel} không gửi tin được; người dân xem được khi hỏi lại số phiếu. "
              f"Liên hệ đã để lại: {mask_contact(ticket.contact)}.")
    return 0


def _export(args: argparse.Namespace, ctx: Context) -> int:
    tickets = ctx.services().feedback.list()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_FIELDS)
    for t in reversed(tickets):
        writer.writerow(safe_row([
            t.ticket, to_local(t.created_at).isoformat(), t.status, t.channel, t.about,
            t.dossier_code, t.content, mask_contact(t.contact) if t.contact else None,
            t.answer, to_local(t.answered_at).isoformat() if t.answered_at else None]))
    target = args.file
    write_file(target, buffer.getvalue(), "utf-8-sig", "phan-anh.csv")
    print(f"Đã xuất {len(tickets)} phiếu ra {target}.")
    return 0
