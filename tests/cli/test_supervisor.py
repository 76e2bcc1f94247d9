"""The supervisor behind `bot run`: restarts with backoff and a limit, logs each step, stops everything.

Fake processes, a fake clock (sleep advances it) and a fake readiness probe: no real process is started.
"""

from __future__ import annotations

import signal
import subprocess
from dataclasses import dataclass

import pytest

from bot.cli.supervisor import GaveUp, RestartPolicy, StartupFailed, Supervisor, describe_exit


@dataclass(frozen=True)
class Spec:
    name: str
    ready_url: str | None = None


class FakeProcess:
    def __init__(self, name: str, *, ignores_sigterm: bool = False):
        self.name = name
        self.returncode: int | None = None
        self.signals: list[int] = []
        self.killed = False
        self.ignores_sigterm = ignores_sigterm

    def poll(self) -> int | None:
        return self.returncode

    def die(self, code: int) -> None:
        self.returncode = code

    def send_signal(self, sig: int) -> None:
        self.signals.append(sig)
        if not self.ignores_sigterm:
            self.returncode = -sig

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            raise subprocess.TimeoutExpired(self.name, timeout)
        return self.returncode

    def kill(self) -> None:
        self.killed = True
        self.returncode = -signal.SIGKILL


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


class World:
    """Specs, the processes started for each, what answers, and the log."""

    def __init__(self, specs, policy=RestartPolicy(), fail_to_start=()):
        self.clock = Clock()
        self.started: dict[str, list[FakeProcess]] = {s.name: [] for s in specs}
        self.answering: set[str] = {s.ready_url for s in specs if s.ready_url}
        self.fail_to_start = set(fail_to_start)
        self.log: list[str] = []
        self.supervisor = Supervisor(
            specs, self.start, policy=policy, clock=self.clock, sleep=self.clock.sleep,
            probe=lambda url: url in self.answering, log=self.log.append,
        )

    def start(self, spec) -> FakeProcess:
        if spec.name in self.fail_to_start:
            raise FileNotFoundError(f"no such file: {spec.name}")
        proc = FakeProcess(spec.name)
        self.started[spec.name].append(proc)
        return proc

    def current(self, name: str) -> FakeProcess:
        return self.started[name][-1]

    def advance(self, seconds: float, step: float = 0.5) -> None:
        """Let the supervisor watch for `seconds` of fake time."""
        end = self.clock.now + seconds
        while self.clock.now < end:
            self.supervisor.check()
            self.clock.sleep(step)


SPECS = [Spec("action server", "http://a/health"), Spec("Rasa server", "http://r/status"), Spec("Telegram")]


def started_world(policy=RestartPolicy()) -> World:
    world = World(SPECS, policy)
    world.supervisor.start_all(ready_timeout=10)
    return world


def test_starts_every_component_in_order_and_reports_progress():
    world = World(SPECS)
    progress = []
    world.supervisor.start_all(ready_timeout=10, progress=progress.append)
    assert [len(procs) for procs in world.started.values()] == [1, 1, 1]
    assert "".join(progress) == "Đang khởi động action server sẵn sàng.\nĐang khởi động Rasa server sẵn sàng.\n" \
                                "Đang khởi động Telegram đã chạy.\n"


def test_startup_fails_when_a_component_never_answers():
    world = World(SPECS)
    world.answering.discard("http://r/status")
    with pytest.raises(StartupFailed, match="Rasa server không khởi động được"):
        world.supervisor.start_all(ready_timeout=10)
    assert world.clock.now >= 1010
    assert world.started["Telegram"] == []


def test_startup_fails_at_once_when_a_component_exits():
    world = World(SPECS)
    world.answering.discard("http://r/status")
    original_start = world.start

    def start_and_crash(spec):
        proc = original_start(spec)
        if spec.name == "Rasa server":
            proc.die(1)
        return proc

    world.supervisor._start = start_and_crash
    with pytest.raises(StartupFailed):
        world.supervisor.start_all(ready_timeout=300)
    assert world.clock.now < 1001


def test_a_dead_component_is_restarted_after_the_first_wait_and_the_rest_keep_running():
    world = started_world()
    first = world.current("Rasa server")
    first.die(-signal.SIGKILL)
    world.answering.discard("http://r/status")
    world.advance(0.5)
    assert world.log == ["Rasa server đã dừng (bị dừng bởi tín hiệu SIGKILL). Khởi động lại lần 1/5 sau 1 giây."]
    assert len(world.started["Rasa server"]) == 1
    world.advance(1.0)
    assert len(world.started["Rasa server"]) == 2 and world.current("Rasa server") is not first
    assert world.log[-1] == "Đang khởi động lại Rasa server."
    assert [len(world.started[n]) for n in ("action server", "Telegram")] == [1, 1]
    assert all(p.signals == [] for n in ("action server", "Telegram") for p in world.started[n])

    world.advance(3.0)
    assert not any("trả lời lại" in line for line in world.log)  # not answering yet
    world.answering.add("http://r/status")
    world.advance(0.5)
    assert world.log[-1] == "Rasa server trả lời lại sau 3.5 giây."


def test_waits_double_with_each_exit_inside_the_window():
    world = started_world(RestartPolicy(initial_delay=1, factor=2, max_delay=5, max_restarts=10, window=600))
    waits = []
    for _ in range(5):
        world.current("action server").die(1)
        before = len(world.started["action server"])
        died_at = world.clock.now
        while len(world.started["action server"]) == before:
            world.advance(0.5)
        waits.append(world.clock.now - died_at)
    assert [line.split(" sau ")[1] for line in world.log if "Khởi động lại lần" in line] == \
        ["1 giây.", "2 giây.", "4 giây.", "5 giây.", "5 giây."]
    assert waits == sorted(waits) and 1 <= waits[0] <= 1.5 and 5 <= waits[-1] <= 5.5
    last_exit = [line for line in world.log if "Khởi động lại lần" in line][-1]
    assert last_exit == "action server đã dừng (mã thoát 1). Khởi động lại lần 5/10 sau 5 giây."


def test_a_quiet_window_resets_the_count_and_the_wait():
    world = started_world(RestartPolicy(max_restarts=2, window=60))
    for _ in range(2):
        world.current("Telegram").die(1)
        world.advance(5)
    world.advance(61)
    world.current("Telegram").die(1)
    world.advance(0.5)
    assert world.log[-1].endswith("Khởi động lại lần 1/2 sau 1 giây.")


def test_gives_up_when_a_component_keeps_dying_inside_the_window():
    world = started_world(RestartPolicy(max_restarts=2, window=60))
    world.current("Rasa server").die(1)
    world.advance(2)
    world.current("Rasa server").die(1)
    world.advance(3)
    world.current("Rasa server").die(1)
    with pytest.raises(GaveUp, match="Rasa server đã dừng 3 lần trong 60 giây; ngừng khởi động lại") as raised:
        world.advance(1)
    assert raised.value.name == "Rasa server"
    assert world.log[-1] == "Rasa server đã dừng (mã thoát 1) lần thứ 3 trong 60 giây: không khởi động lại nữa."
    assert len(world.started["Rasa server"]) == 3


def test_zero_restarts_allowed_means_the_first_exit_stops_everything():
    world = started_world(RestartPolicy(max_restarts=0))
    world.current("Telegram").die(0)
    with pytest.raises(GaveUp):
        world.advance(0.5)


def test_a_component_that_cannot_be_started_again_counts_as_an_exit():
    world = started_world(RestartPolicy(max_restarts=3, window=600))
    world.fail_to_start.add("Rasa server")
    world.current("Rasa server").die(1)
    with pytest.raises(GaveUp):
        world.advance(60)
    assert any(line.startswith("Không chạy được Rasa server: no such file") for line in world.log)
    assert sum("Khởi động lại lần" in line for line in world.log) == 3


def test_stop_terminates_every_running_component_and_cancels_pending_restarts():
    world = started_world()
    world.current("Rasa server").die(1)
    world.advance(0.5)  # the Rasa server now waits to restart
    world.supervisor.stop()
    assert len(world.started["Rasa server"]) == 1
    for name in ("action server", "Telegram"):
        assert world.current(name).signals == [signal.SIGTERM] and not world.current(name).killed
    world.advance(10)
    assert len(world.started["Rasa server"]) == 1


def test_stop_kills_what_ignores_sigterm_after_the_grace_period():
    world = World([Spec("stubborn")])
    world.supervisor._start = lambda spec: FakeProcess(spec.name, ignores_sigterm=True)
    world.supervisor.start_all(ready_timeout=1)
    proc = world.supervisor.processes["stubborn"]
    world.supervisor.stop(grace=1)
    assert proc.signals == [signal.SIGTERM] and proc.killed
    assert world.log == ["stubborn chưa dừng sau 1 giây: buộc dừng (SIGKILL)."]


def test_run_returns_once_stopped():
    world = started_world()
    calls = []

    def sleep(seconds):
        calls.append(seconds)
        if len(calls) == 3:
            world.supervisor.stop()

    world.supervisor._sleep = sleep
    world.supervisor.run(interval=0.5)
    assert calls == [0.5, 0.5, 0.5]


@pytest.mark.parametrize("code, text", [
    (1, "mã thoát 1"), (0, "mã thoát 0"), (-9, "bị dừng bởi tín hiệu SIGKILL"),
    (-15, "bị dừng bởi tín hiệu SIGTERM"), (None, "không chạy được"),
])
def test_describe_exit(code, text):
    assert describe_exit(code) == text
