"""`bot conversations purge` and the daily purge of `bot run`, with a fixed clock."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from bot.cli import main
from bot.cli.conversations import DailyPurge
from bot.db.conversation_store import ConversationStore, PurgeResult
from tests.db.test_conversations import _at, _stored, session_start, turn

NOW = dt.datetime(2026, 11, 29, 3, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def clock():
    return lambda: NOW


async def test_purge_command_deletes_old_conversations_and_says_so(services, capsys):
    await _stored(services.settings.database_url, {
        "rest:old": session_start(_at(45)) + turn("cũ", "greet", "utter_greet", "chào", at=_at(45)),
        "rest:new": session_start(_at(1)) + turn("mới", "greet", "utter_greet", "chào", at=_at(1)),
    })
    assert main(["conversations", "purge", "--older-than", "30"], services=services) == 0
    assert capsys.readouterr().out.strip() == (
        "Đã xoá 1 cuộc trò chuyện và 7 sự kiện cũ hơn 30 ngày (trước ngày 30/10/2026).")
    assert ConversationStore(services.engine).senders() == ["rest:new"]

    assert main(["conversations", "purge", "--older-than", "30"], services=services) == 0
    assert capsys.readouterr().out.strip() == "Không có cuộc trò chuyện nào cũ hơn 30 ngày."
    assert main(["conversations", "count"], services=services) == 0
    assert capsys.readouterr().out.strip() == "Đang lưu 1 cuộc trò chuyện."


async def test_purge_uses_the_retention_setting_by_default(services, capsys):
    await _stored(services.settings.database_url, {
        "rest:a": session_start(_at(10)) + turn("a", "greet", "utter_greet", "chào", at=_at(10))})
    services.settings = dataclasses.replace(services.settings, conversation_retention_days=7)
    assert main(["conversations", "purge"], services=services) == 0
    assert "cũ hơn 7 ngày" in capsys.readouterr().out
    assert ConversationStore(services.engine).count() == 0


@pytest.mark.parametrize("days", ["0", "-3", "ba mươi"])
def test_purge_refuses_a_bad_number_of_days(services, capsys, days):
    with pytest.raises(SystemExit) as exit_:
        main(["conversations", "purge", "--older-than", days], services=services)
    assert exit_.value.code == 2
    assert "số ngày phải là số nguyên từ 1 trở lên" in capsys.readouterr().err


def test_purge_without_a_retention_asks_for_the_days(services, capsys):
    services.settings = dataclasses.replace(services.settings, conversation_retention_days=0)
    assert main(["conversations", "purge"], services=services) == 2
    assert "--older-than 30" in capsys.readouterr().err


class FakeStore:
    def __init__(self, fail_first: bool = False):
        self.calls: list[int] = []
        self.fail_first = fail_first

    def purge(self, days: int) -> PurgeResult:
        self.calls.append(days)
        if self.fail_first and len(self.calls) == 1:
            raise OSError("database is locked")
        return PurgeResult(NOW - dt.timedelta(days=days), 2, 9)


def test_daily_purge_runs_at_start_then_once_a_day():
    now = [NOW]
    store, said = FakeStore(), []
    daily = DailyPurge(store, 30, clock=lambda: now[0], report=said.append)
    assert daily.run_due().events == 9
    assert said == ["Đã xoá 2 cuộc trò chuyện và 9 sự kiện cũ hơn 30 ngày (trước ngày 30/10/2026)."]
    for hours in (1, 12, 23.9):
        now[0] = NOW + dt.timedelta(hours=hours)
        assert daily.run_due() is None
    now[0] = NOW + dt.timedelta(days=1)
    assert daily.run_due() is not None
    assert store.calls == [30, 30]


def test_a_failed_daily_purge_is_tried_again_at_the_next_check(caplog):
    store = FakeStore(fail_first=True)
    daily = DailyPurge(store, 30, clock=lambda: NOW, report=lambda line: None)
    assert daily.run_due() is None
    assert "conversation purge failed" in caplog.text
    assert daily.run_due() is not None and store.calls == [30, 30]


def test_the_daily_purge_thread_purges_and_stops(services):
    said = []
    daily = DailyPurge(ConversationStore(services.engine), 30, clock=lambda: NOW, check_seconds=0.01,
                       report=said.append).start()
    daily.stop()
    assert daily.next_run == NOW + dt.timedelta(days=1), "purged once at start (nothing to say: no conversations)"
    assert said == [] and not daily._thread.is_alive()
