"""Retraining started from the console: `bot nlu eval --train --switch` in a background process, one at a time.

`RetrainJob(report_dir, command, clock)` runs `command` (by default this
installation's `bot nlu eval --train --switch --out REPORT_DIR`; tests and the
end-to-end test give a fast command that never trains) with its output in
REPORT_DIR/retrain.log. What the console shows comes from two files there:

- retrain.lock: held (flock) from the start until the command ends; the command
  holds it too, so a second start is refused while it runs, from this process,
  another `bot web` process, or after the web server restarted;
- retrain.json: who started it and when, when it ended, its exit code, the name
  of the report it wrote and, when it failed, the reason in Vietnamese.

The figures and the switch decision are read from the report's JSON
(`bot.nlu.evaluate.EvalFigures`), written by `bot nlu eval` itself.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import logging
import os
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from bot.core.clock import now_utc
from bot.nlu.eval_report import load_figures, stored_reports
from bot.nlu.evaluate import EvalFigures
from bot.settings import PROJECT_ROOT

logger = logging.getLogger(__name__)

MAX_PROBLEM_CHARS = 300


def default_command(report_dir: Path) -> list[str]:
    return [str(Path(sys.executable).parent / "bot"), "nlu", "eval", "--train", "--switch", "--out", str(report_dir)]


@dataclass(frozen=True)
class RetrainStatus:
    """The last retraining, as the console shows it."""

    actor: str
    started: dt.datetime
    running: bool
    finished: dt.datetime | None = None
    ok: bool = False
    problem: str = ""  # why it failed, in Vietnamese, for the trainer
    report: str | None = None  # the report it wrote (its name without .html)
    figures: EvalFigures | None = None  # that report's figures and switch decision


class RetrainJob:
    def __init__(self, report_dir: Path, command: Sequence[str] = (), clock: Callable[[], dt.datetime] = now_utc):
        self.report_dir = report_dir
        self.command = list(command) or default_command(report_dir)
        self.clock = clock
        self.watcher: threading.Thread | None = None  # the thread waiting for this process's job (tests join it)

    @property
    def log_path(self) -> Path:
        return self.report_dir / "retrain.log"

    @property
    def _lock_path(self) -> Path:
        return self.report_dir / "retrain.lock"

    @property
    def _status_path(self) -> Path:
        return self.report_dir / "retrain.json"

    def start(self, actor: str) -> bool:
        """Start the job in the background; False (and nothing started) while one is running.
        OSError when the report directory cannot be written."""
        self.report_dir.mkdir(parents=True, exist_ok=True)
        lock = open(self._lock_path, "a")  # noqa: SIM115 - held until the job ends, closed by the watcher
        try:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            lock.close()
            return False
        record = {"actor": actor, "started": self.clock().isoformat()}
        try:
            before = {p.stem for p in stored_reports(self.report_dir)}
            self._write(record)
            with open(self.log_path, "w", encoding="utf-8") as log:
                process = subprocess.Popen(
                    self.command, cwd=PROJECT_ROOT, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                    env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "NLU_REPORT_DIR": str(self.report_dir)},
                    pass_fds=(lock.fileno(),), start_new_session=True)
        except OSError as exc:
            logger.error("retraining: could not start %s: %s", self.command, exc)
            try:
                self._finish(record, None, [], "Không chạy được lệnh huấn luyện lại. Báo quản trị viên.")
            finally:
                lock.close()
            return True
        self.watcher = threading.Thread(target=self._watch, args=(process, lock, record, before),
                                        name="nlu-retrain", daemon=True)
        self.watcher.start()
        return True

    def _watch(self, process: subprocess.Popen, lock, record: dict, before: set[str]) -> None:
        try:
            code = process.wait()
            new = [p.stem for p in stored_reports(self.report_dir) if p.stem not in before]
            self._finish(record, code, new, "" if code == 0 else self._problem(code))
        except Exception:  # noqa: BLE001 - the console shows the job as stopped, the log says why
            logger.exception("retraining: could not record the end of the job")
        finally:
            lock.close()

    def _finish(self, record: dict, code: int | None, reports: list[str], problem: str) -> None:
        self._write({**record, "finished": self.clock().isoformat(), "code": code,
                     "report": reports[-1] if reports else None, "problem": problem})

    def _problem(self, code: int) -> str:
        """The command's own message (`bot` prints "Lỗi: ..."), else its exit code."""
        try:
            lines = self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            lines = []
        said = [line.removeprefix("Lỗi:").strip() for line in lines if line.startswith("Lỗi:")]
        if said and said[-1]:
            text = said[-1].rstrip(":. ")[:MAX_PROBLEM_CHARS]
            return text + "."
        return f"Lệnh huấn luyện lại dừng với mã {code}."

    def _write(self, record: dict) -> None:
        staged = self._status_path.with_name(self._status_path.name + ".tmp")
        staged.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
        staged.replace(self._status_path)

    def running(self) -> bool:
        try:
            with open(self._lock_path) as lock:  # reading the status never creates a file
                fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except FileNotFoundError:
            return False
        except OSError:
            return True
        return False  # closing the file released the lock

    def status(self) -> RetrainStatus | None:
        """The running or last job; None when none was ever started here."""
        if not self.report_dir.is_dir():
            return None
        running = self.running()
        try:
            record = json.loads(self._status_path.read_text(encoding="utf-8"))
            actor, started = str(record["actor"]), dt.datetime.fromisoformat(record["started"])
        except FileNotFoundError:
            return None
        except (OSError, ValueError, TypeError, KeyError):
            logger.warning("retraining: unreadable %s", self._status_path)
            return None
        if running:
            return RetrainStatus(actor, started, running=True)
        if record.get("finished") is None:
            return RetrainStatus(actor, started, running=False, problem=(
                "Việc huấn luyện dừng giữa chừng, có thể vì máy chủ đã khởi động lại."))
        finished = dt.datetime.fromisoformat(record["finished"])
        report = record.get("report")
        figures = load_figures(self.report_dir / f"{report}.json") if report else None
        if record.get("code") != 0:
            return RetrainStatus(actor, started, False, finished, problem=str(record.get("problem") or "")[
                :MAX_PROBLEM_CHARS] or "Lệnh huấn luyện lại không chạy xong.", report=report, figures=figures)
        return RetrainStatus(actor, started, False, finished, ok=True, report=report, figures=figures)
