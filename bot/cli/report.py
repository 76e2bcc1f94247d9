"""`bot report satisfaction`: counts and percentages per level, per channel, per procedure."""

from __future__ import annotations

import argparse

from bot.cli.context import Context
from bot.core.ratings import LEVELS, Breakdown, summarize


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("report", help="Báo cáo")
    actions = parser.add_subparsers(dest="report_command", required=True)
    actions.add_parser("satisfaction", help="Mức độ hài lòng theo mức, kênh và thủ tục").set_defaults(
        handler=_satisfaction)


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
