"""The console's retraining job: one at a time, its status from start to end, a failure in words.

The job runs tests/fakes/retrain.py, which writes a report from a fixed result: nothing here trains.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from bot.nlu.retrain import RetrainJob, default_command
from bot.settings import PROJECT_ROOT
from tests.core.times import SettableClock, vn

FAKE = PROJECT_ROOT / "tests" / "fakes" / "retrain.py"


def fake(mode: str) -> list[str]:
    return [sys.executable, str(FAKE), mode]


@pytest.fixture
def clock():
    return SettableClock(vn(2026, 3, 2, 9))


@pytest.fixture
def report_dir(tmp_path):
    directory = tmp_path / "reports"
    yield directory
    directory.mkdir(exist_ok=True)
    (directory / "release").touch()  # a waiting fake never outlives its test


def finish(job: RetrainJob) -> None:
    (job.report_dir / "release").touch()
    job.watcher.join(timeout=60)
    assert not job.watcher.is_alive()


def test_a_job_runs_reports_its_figures_and_the_switch_decision(report_dir, clock):
    job = RetrainJob(report_dir, fake("wait"), clock)
    assert job.status() is None and not report_dir.exists()  # reading the status writes nothing
    assert job.start("hl1")
    status = job.status()
    assert status.running and status.actor == "hl1" and status.started == vn(2026, 3, 2, 9)
    clock.advance(minutes=7)
    finish(job)
    status = job.status()
    assert not status.running and status.ok and status.finished == vn(2026, 3, 2, 9, 7)
    assert status.report and (report_dir / f"{status.report}.html").is_file()
    assert (status.figures.with_diacritics, status.figures.without_diacritics) == (1.0, 0.5)
    assert status.figures.decision.switch and "đã thay mô hình đang chạy" in status.figures.decision.reason
    assert "Đang huấn luyện mô hình mới" in job.log_path.read_text(encoding="utf-8")


def test_a_second_start_while_one_runs_is_refused(report_dir, clock):
    first = RetrainJob(report_dir, fake("wait"), clock)
    other_process = RetrainJob(report_dir, fake("switch"), clock)  # the same files, as another `bot web` sees them
    assert first.start("hl1")
    assert not first.start("admin1") and not other_process.start("admin1")
    assert other_process.status().running and other_process.status().actor == "hl1"
    finish(first)
    assert not other_process.status().running
    assert other_process.start("admin1")  # free again once it ended
    other_process.watcher.join(timeout=60)
    status = other_process.status()
    assert status.ok and status.actor == "admin1"


def test_a_kept_model_says_why(report_dir, clock):
    job = RetrainJob(report_dir, fake("kept"), clock)
    assert job.start("hl1")
    job.watcher.join(timeout=60)
    decision = job.status().figures.decision
    assert not decision.switch and decision.reason.startswith("Giữ mô hình đang chạy")


def test_a_failure_keeps_the_commands_own_words_not_its_trace(report_dir, clock):
    job = RetrainJob(report_dir, fake("fail"), clock)
    assert job.start("hl1")
    job.watcher.join(timeout=60)
    status = job.status()
    assert not status.running and not status.ok and status.report is None and status.figures is None
    assert status.problem == "Huấn luyện không thành công (mã 1)."
    assert "MemoryError" in job.log_path.read_text(encoding="utf-8")  # the details stay in the log


def test_a_command_that_does_not_exist_fails_in_words(report_dir, clock):
    job = RetrainJob(report_dir, [str(report_dir / "khong-co")], clock)
    assert job.start("hl1")
    status = job.status()
    assert not status.running and not status.ok and "Không chạy được lệnh" in status.problem
    assert job.start("hl1")  # the lock was released


def test_a_job_cut_short_by_a_restart_is_shown_as_stopped(report_dir, clock):
    report_dir.mkdir()
    (report_dir / "retrain.json").write_text(json.dumps({"actor": "hl1", "started": vn(2026, 3, 1).isoformat()}))
    status = RetrainJob(report_dir, fake("switch"), clock).status()
    assert not status.running and not status.ok and "dừng giữa chừng" in status.problem and status.report is None


def test_an_unreadable_status_file_reads_as_no_job(report_dir, clock):
    report_dir.mkdir()
    (report_dir / "retrain.json").write_text("{not json")
    assert RetrainJob(report_dir, fake("switch"), clock).status() is None


def test_the_default_command_trains_and_switches_into_the_report_dir(tmp_path):
    command = default_command(tmp_path)
    assert Path(command[0]).name == "bot"
    assert command[1:] == ["nlu", "eval", "--train", "--switch", "--out", str(tmp_path)]
    assert RetrainJob(tmp_path).command == command  # no command given: the real one (never started here)
