"""`bot conversations`: how many conversations are kept, and purging the old ones.

    bot conversations count
    bot conversations purge [--older-than DAYS]

DAYS defaults to CONVERSATION_RETENTION_DAYS (30). `bot run` also purges once at
start and then once a day (`DailyPurge`), unless CONVERSATION_RETENTION_DAYS is 0.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import threading
from typing import Callable

from bot.cli.context import Context
from bot.cli.errors import CommandError
from bot.core.clock import format_day, now_utc
from bot.db.conversation_store import ConversationStore, PurgeResult

logger = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]


def _days(raw: str) -> int:
    try:
        days = int(raw)
    except ValueError:
        days = 0
    if days < 1:
        raise argparse.ArgumentTypeError(f"số ngày phải là số nguyên từ 1 trở lên, không phải “{raw}”")
    return days


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("conversations", help="Cuộc trò chuyện đã lưu: đếm, xoá cuộc trò chuyện cũ")
    actions = parser.add_subparsers(dest="conversations_command", required=True)
    actions.add_parser("count", help="Số cuộc trò chuyện đang lưu").set_defaults(handler=_count)
    purge = actions.add_parser("purge", help="Xoá cuộc trò chuyện cũ")
    purge.add_argument("--older-than", type=_days, metavar="SỐ_NGÀY",
                       help="xoá những gì cũ hơn số ngày này (mặc định CONVERSATION_RETENTION_DAYS)")
    purge.set_defaults(handler=_purge)


def describe(result: PurgeResult, days: int) -> str:
    """What a purge did, in one sentence for staff."""
    if not result.events:
        return f"Không có cuộc trò chuyện nào cũ hơn {days} ngày."
    return (f"Đã xoá {result.conversations} cuộc trò chuyện và {result.events} sự kiện cũ hơn {days} ngày "
            f"(trước ngày {format_day(result.cutoff)}).")


def _count(args: argparse.Namespace, ctx: Context) -> int:
    services = ctx.services()
    print(f"Đang lưu {ConversationStore(services.engine).count()} cuộc trò chuyện.")
    return 0


def _purge(args: argparse.Namespace, ctx: Context) -> int:
    days = args.older_than or ctx.settings().conversation_retention_days
    if days < 1:
        raise CommandError("Chưa đặt thời hạn lưu (CONVERSATION_RETENTION_DAYS=0). "
                           "Hãy ghi số ngày: bot conversations purge --older-than 30")
    services = ctx.services()
    result = ConversationStore(services.engine, clock=services.clock).purge(days)
    print(describe(result, days))
    return 0


class DailyPurge:
    """Purges conversations older than `days` days when due: at the first check, then every `every`.

    `run_due()` does one check (tests call it with their clock); `start()` checks
    every `check_seconds` on a daemon thread until `stop()`. A failed purge is
    logged and tried again at the next check.
    """

    def __init__(self, store: ConversationStore, days: int, *, clock: Clock = now_utc,
                 every: dt.timedelta = dt.timedelta(days=1), check_seconds: float = 60,
                 report: Callable[[str], None] = print):
        self.store, self.days, self.clock, self.every = store, days, clock, every
        self.check_seconds, self.report = check_seconds, report
        self.next_run: dt.datetime | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_due(self) -> PurgeResult | None:
        now = self.clock()
        if self.next_run is not None and now < self.next_run:
            return None
        try:
            result = self.store.purge(self.days)
        except Exception:  # the assistant keeps running; the next check tries again
            logger.exception("conversation purge failed")
            return None
        self.next_run = now + self.every
        if result.events:
            self.report(describe(result, self.days))
        return result

    def start(self) -> "DailyPurge":
        def loop() -> None:
            self.run_due()
            while not self._stop.wait(self.check_seconds):
                self.run_due()

        self._thread = threading.Thread(target=loop, name="conversation-purge", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
