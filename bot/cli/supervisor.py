"""Keep `bot run`'s processes alive: restart one that dies, with backoff and a limit.

`Supervisor` starts each component in order and waits until it answers, then
watches them. A component that exits is started again after a wait that
doubles with each exit inside the restart window (1 s, 2 s, 4 s ... up to
`max_delay`); the first exit after a quiet window waits `initial_delay` again.
More than `max_restarts` exits of one component inside the window means
something is wrong that a restart will not fix: the supervisor gives up
(`GaveUp`) and the caller stops everything. Every exit, restart and recovery
is one log line naming the component.

Nothing here knows about Rasa: a component is anything with `name` and
`ready_url`, and processes come from the injected `start` function, so tests
drive the supervisor with fake processes, a fake clock and a fake probe.
"""

from __future__ import annotations

import signal
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from typing import Callable, Protocol, Sequence


class Process(Protocol):
    """The part of `subprocess.Popen` the supervisor uses."""

    def poll(self) -> int | None: ...

    def send_signal(self, sig: int) -> None: ...

    def wait(self, timeout: float | None = None) -> int: ...

    def kill(self) -> None: ...


class Component(Protocol):
    name: str
    ready_url: str | None


@dataclass(frozen=True)
class RestartPolicy:
    """How soon and how often a component is restarted."""

    initial_delay: float = 1.0
    factor: float = 2.0
    max_delay: float = 60.0
    max_restarts: int = 5  # restarts of one component allowed inside `window`
    window: float = 600.0  # seconds

    def delay(self, attempt: int) -> float:
        """The wait before restart number `attempt` (1-based) inside the window."""
        return min(self.max_delay, self.initial_delay * self.factor ** (attempt - 1))


class StartupFailed(Exception):
    """A component did not come up when `bot run` started: a setup problem, not something to retry."""

    def __init__(self, name: str):
        super().__init__(f"{name} không khởi động được; xem thông báo lỗi ở trên.")
        self.name = name


class GaveUp(Exception):
    """A component kept dying: the caller stops everything."""

    def __init__(self, name: str, exits: int, window: float):
        super().__init__(
            f"{name} đã dừng {exits} lần trong {window:g} giây; ngừng khởi động lại và tắt toàn bộ trợ lý. "
            "Xem thông báo lỗi ở trên, sửa nguyên nhân rồi chạy lại."
        )
        self.name = name


def describe_exit(code: int | None) -> str:
    """'mã thoát 1', 'bị dừng bởi tín hiệu SIGKILL', or 'không chạy được' for a process that never started."""
    if code is None:
        return "không chạy được"
    if code < 0:
        try:
            return f"bị dừng bởi tín hiệu {signal.Signals(-code).name}"
        except ValueError:
            return f"bị dừng bởi tín hiệu {-code}"
    return f"mã thoát {code}"


def http_ready(url: str, timeout: float = 2.0) -> bool:
    """True when `url` answers at all (any HTTP status below 400)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout):
            return True
    except OSError:
        return False


def _seconds(value: float) -> str:
    return f"{value:g} giây"


@dataclass
class _Child:
    spec: Component
    proc: Process | None = None
    started_at: float = 0.0
    ready: bool = False
    restart_at: float | None = None  # set while waiting to restart
    exits: list[float] = field(default_factory=list)  # times of exits inside the window


class Supervisor:
    """Start components, restart the ones that die, stop them all."""

    def __init__(
        self,
        specs: Sequence[Component],
        start: Callable[[Component], Process],
        *,
        policy: RestartPolicy = RestartPolicy(),
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        probe: Callable[[str], bool] = http_ready,
        log: Callable[[str], None] = print,
    ):
        self._children = [_Child(spec) for spec in specs]
        self._start = start
        self._policy = policy
        self._clock = clock
        self._sleep = sleep
        self._probe = probe
        self._log = log
        self._stopping = False

    @property
    def processes(self) -> dict[str, Process | None]:
        """The current process of each component (None while it waits to restart)."""
        return {child.spec.name: child.proc for child in self._children}

    def start_all(self, ready_timeout: float, progress: Callable[[str], None] = lambda _: None) -> None:
        """Start each component in order and wait until it answers; `StartupFailed` if one does not.

        `progress` gets the text of one line per component, in pieces: the name, dots while
        waiting, then " sẵn sàng.\n" (it answers) or " đã chạy.\n" (no URL to ask).
        """
        for child in self._children:
            progress(f"Đang khởi động {child.spec.name}")
            child.proc = self._spawn(child)
            if child.proc is None or not self._wait_ready(child, ready_timeout, progress):
                raise StartupFailed(child.spec.name)
            child.ready = True
            progress(" sẵn sàng.\n" if child.spec.ready_url else " đã chạy.\n")

    def _wait_ready(self, child: _Child, timeout: float, progress: Callable[[str], None]) -> bool:
        if not child.spec.ready_url:
            return child.proc.poll() is None
        deadline = self._clock() + timeout
        while self._clock() < deadline:
            if child.proc.poll() is not None:
                return False
            if self._probe(child.spec.ready_url):
                return True
            progress(".")
            self._sleep(1.0)
        return False

    def _spawn(self, child: _Child) -> Process | None:
        child.started_at = self._clock()
        child.ready = False
        try:
            return self._start(child.spec)
        except OSError as exc:
            self._log(f"Không chạy được {child.spec.name}: {exc}")
            return None

    def check(self) -> None:
        """One round: notice exits, restart what is due, report recoveries. Raises `GaveUp`."""
        if self._stopping:
            return
        now = self._clock()
        for child in self._children:
            if child.restart_at is None:
                code = child.proc.poll() if child.proc is not None else None
                if child.proc is not None and code is None:
                    self._check_ready(child, now)
                    continue
                self._schedule_restart(child, code, now)
            if child.restart_at is not None and now >= child.restart_at:
                child.restart_at = None
                self._log(f"Đang khởi động lại {child.spec.name}.")
                child.proc = self._spawn(child)
                if child.proc is None:
                    self._schedule_restart(child, None, now)

    def _check_ready(self, child: _Child, now: float) -> None:
        """Log once when a restarted component answers again (one without a URL: nothing to ask)."""
        if child.ready:
            return
        if child.spec.ready_url is None:
            child.ready = True
        elif self._probe(child.spec.ready_url):
            child.ready = True
            self._log(f"{child.spec.name} trả lời lại sau {_seconds(round(now - child.started_at, 1))}.")

    def _schedule_restart(self, child: _Child, code: int | None, now: float) -> None:
        policy = self._policy
        child.exits = [t for t in child.exits if now - t < policy.window] + [now]
        attempt = len(child.exits)
        if attempt > policy.max_restarts:
            self._log(f"{child.spec.name} đã dừng ({describe_exit(code)}) lần thứ {attempt} "
                      f"trong {_seconds(policy.window)}: không khởi động lại nữa.")
            raise GaveUp(child.spec.name, attempt, policy.window)
        delay = policy.delay(attempt)
        child.proc = None
        child.restart_at = now + delay
        self._log(f"{child.spec.name} đã dừng ({describe_exit(code)}). Khởi động lại lần {attempt}/"
                  f"{policy.max_restarts} sau {_seconds(delay)}.")

    def run(self, interval: float = 0.5) -> None:
        """Watch until stopped (`stop`, Ctrl+C) or until a component keeps dying (`GaveUp`)."""
        while not self._stopping:
            self.check()
            self._sleep(interval)

    def stop(self, grace: float = 15.0) -> None:
        """SIGTERM every running component, then SIGKILL what is still running after `grace` seconds."""
        self._stopping = True
        running = [(child.spec.name, child.proc) for child in self._children if child.proc is not None]
        for child in self._children:
            child.restart_at = None
        for _, proc in running:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = self._clock() + grace
        for name, proc in running:
            try:
                proc.wait(timeout=max(0.1, deadline - self._clock()))
            except subprocess.TimeoutExpired:
                self._log(f"{name} chưa dừng sau {_seconds(grace)}: buộc dừng (SIGKILL).")
                proc.kill()
                proc.wait()
