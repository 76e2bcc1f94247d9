"""`bot report` (the usage report), `bot report usage` (the same) and `bot report satisfaction`.

    bot report [--from 2026-03-01] [--to 2026-03-28] [--format text|html|csv] [--out FILE]
    bot report usage [the same options]
    bot report satisfaction

`satisfaction`: counts and percentages per level, per channel, per procedure.
`usage`: how the assistant did over a period (default: the last 28 days to today,
Vietnam time), from stored conversations and the database (`bot.core.usage_report`);
HTML is one self-contained file with charts, CSV is safe to open in a spreadsheet.
"""

from __future__ import annotations

import argparse
import csv
import io
from pathlib import Path

from bot.cli.context import Context
from bot.cli.errors import CommandError
from bot.cli.files import write_file
from bot.core.clock import to_local
from bot.core.ratings import LEVELS, Breakdown, summarize
from bot.core.usage_output import csv_rows, html_document, text_report
from bot.core.usage_report import ReportError, parse_period


def _usage_arguments(parser: argparse.ArgumentParser, defaults: bool = True) -> None:
    """The usage report's options; without `defaults` (on `report usage`), an option not given keeps what
    `report` got (`bot report --from X usage`)."""
    unset = {} if defaults else {"default": argparse.SUPPRESS}
    parser.add_argument("--from", dest="first", help="Ngày bắt đầu (2026-03-01 hoặc 01/03/2026)", **unset)
    parser.add_argument("--to", dest="last", help="Ngày kết thúc, tính cả ngày đó (mặc định: hôm nay)", **unset)
    parser.add_argument("--format", choices=("text", "html", "csv"), **(unset if not defaults else {"default": "text"}))
    parser.add_argument("--out", type=Path, help="Ghi ra tệp này thay vì in ra màn hình", **unset)
    parser.set_defaults(handler=_usage)


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("report", help="Báo cáo hoạt động của trợ lý (không ghi việc: như `report usage`)")
    _usage_arguments(parser)
    actions = parser.add_subparsers(dest="report_command")
    actions.add_parser("satisfaction", help="Mức độ hài lòng theo mức, kênh và thủ tục").set_defaults(
        handler=_satisfaction)
    _usage_arguments(actions.add_parser("usage", help="Hoạt động của trợ lý trong một khoảng thời gian"), False)


def format_table(title: str, groups: list[Breakdown]) -> list[str]:
    head = f"{'':<44}{'Tổng':>6}" + "".join(f"{label:>20}" for label in LEVELS.values()) + f"{'Hài lòng':>10}"
    lines = [title, head]
    for b in groups:
        cells = "".join(f"{b.counts[level]:>8} ({b.percent(level):5.1f}%)".rjust(20) for level in LEVELS)
        name = b.group if len(b.group) <= 43 else b.group[:42] + "…"
        lines.append(f"{name:<44}{b.total:>6}{cells}{b.satisfied_percent:>9.1f}%")
    return lines


def render(rows, topic_names) -> str:
    overall, channels, topics = summarize(rows, topic_names)
    if overall.total == 0:
        return "Chưa có đánh giá nào."
    lines = format_table("Tổng hợp", [overall]) + [""]
    lines += format_table("Theo kênh", channels) + [""]
    lines += format_table("Theo thủ tục", topics)
    lines += ["", "\"Hài lòng\" là tỷ lệ rất hài lòng cộng hài lòng."]
    return "\n".join(lines)


def _satisfaction(args: argparse.Namespace, ctx: Context) -> int:
    services = ctx.services()
    rows = services.ratings.all()
    print(render(rows, services.ratings.topic_names([r.topic for r in rows])))
    return 0


def usage_output(report, fmt: str) -> str:
    if fmt == "html":
        return html_document(report)
    if fmt == "csv":
        buffer = io.StringIO()
        csv.writer(buffer).writerows(csv_rows(report))
        return buffer.getvalue()
    return text_report(report) + "\n"


def _usage(args: argparse.Namespace, ctx: Context) -> int:
    services = ctx.services()
    try:
        period = parse_period(args.first, args.last, to_local(services.clock()).date())
    except ReportError as exc:
        raise CommandError(str(exc)) from None
    text = usage_output(services.usage_report(period), args.format)
    if args.out is None:
        print(text, end="")
        return 0
    write_file(args.out, text, "utf-8-sig" if args.format == "csv" else "utf-8", "bao-cao." + args.format)
    print(f"Đã ghi báo cáo ra {args.out}.")
    return 0
