"""`bot run` heals itself: kill -9 a server and the assistant answers again within 15 s, context kept.

Starts the real `bot run` (action server, Rasa server and its standby, web server) on fixed free
ports below the ephemeral range (a restarted server must get its port back), then kills each
server in turn with SIGKILL and polls until the assistant answers a procedure question again.

The conversation must survive too. Across an action-server or web-server kill it lives in the
Rasa server. Across a Rasa-server kill it lives only in a shared tracker store: that assertion
needs Rasa's SQL tracker store in endpoints.yml.
"""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from bot.settings import PROJECT_ROOT
from tests.e2e.servers import MODEL

pytestmark = pytest.mark.model

RECOVERY_SECONDS = 15
STARTUP_SECONDS = 900  # two Rasa servers load the model one after the other; slow on a busy machine
PASSPORT_CODE = "1.001456"  # Cấp hộ chiếu phổ thông ở trong nước (cấp tỉnh)
FIRST_QUESTION = "lệ phí làm hộ chiếu"
FOLLOW_UP = "thế mất bao lâu"


def free_low_port(taken: set[int]) -> int:
    """A free port below 32768: outgoing connections never take it while a killed server restarts."""
    for _ in range(200):
        port = random.randint(20000, 32000)
        if port in taken:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        taken.add(port)
        return port
    raise RuntimeError("no free port below 32768")


def listening_pid(port: int) -> int | None:
    """The process that listens on 127.0.0.1/0.0.0.0 `port`, read from /proc (Linux)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:  # 0A: LISTEN
                inodes.add(fields[9])
    targets = {f"socket:[{inode}]" for inode in inodes}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            for fd in (proc / "fd").iterdir():
                if os.readlink(fd) in targets:
                    return int(proc.name)
        except OSError:
            continue
    return None


def parent_pid(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[1])


class BotRun:
    def __init__(self, var_dir: Path):
        taken: set[int] = set()
        self.ports = {"rasa": free_low_port(taken), "action": free_low_port(taken), "web": free_low_port(taken)}
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ZALO_"))},
            "TTHC_VAR_DIR": str(var_dir),
            "RASA_HOST": "127.0.0.1", "RASA_PORT": str(self.ports["rasa"]),
            "ACTION_PORT": str(self.ports["action"]),
            "WEB_HOST": "127.0.0.1", "WEB_PORT": str(self.ports["web"]),
            "PYTHONPATH": str(PROJECT_ROOT),
        }
        self.log_path = var_dir / "bot-run.log"
        self.proc: subprocess.Popen | None = None

    @property
    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def start(self) -> None:
        bot = str(Path(sys.executable).parent / "bot")
        subprocess.run([bot, "procedures", "load"], env=self.env, cwd=PROJECT_ROOT, check=True, capture_output=True)
        self.proc = subprocess.Popen([bot, "run"], env=self.env, cwd=PROJECT_ROOT, start_new_session=True,
                                     stdout=open(self.log_path, "wb"), stderr=subprocess.STDOUT)

    def wait_until(self, what: str, check, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"bot run exited with {self.proc.returncode} while waiting for {what}:\n{self.log[-3000:]}")
            if check():
                return
            time.sleep(1)
        pytest.fail(f"{what} not within {timeout} s:\n{self.log[-3000:]}")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    # --- talking to the assistant -------------------------------------------

    def _post(self, url: str, payload: dict, timeout: float) -> object:
        request = urllib.request.Request(url, data=json.dumps(payload).encode("utf-8"),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read().decode("utf-8") or "null")

    def say(self, sender: str, message: str, timeout: float = 60) -> str:
        """Through Rasa's REST channel: the replies' text."""
        replies = self._post(f"http://127.0.0.1:{self.ports['rasa']}/webhooks/rest/webhook",
                             {"sender": sender, "message": message}, timeout)
        return "\n".join(r.get("text") or "" for r in replies or [])

    def kiosk_say(self, session: str, message: str, timeout: float = 60) -> str:
        """Through the web server's kiosk API (which forwards to the Rasa server)."""
        body = self._post(f"http://127.0.0.1:{self.ports['web']}/kiosk/api/message",
                          {"screen": "e2e", "session": session, "message": message}, timeout)
        return "\n".join(m["text"] + "\n" + "\n".join(m.get("more") or []) for m in body["messages"])


def _answers(ask) -> bool:
    """One fresh conversation asks a procedure question: True when the procedure's answer comes back."""
    try:
        return PASSPORT_CODE in ask(f"probe-{uuid.uuid4().hex[:8]}", FIRST_QUESTION, timeout=5)
    except (OSError, ValueError, KeyError, TypeError):
        return False


@pytest.fixture(scope="module")
def bot_run(tmp_path_factory) -> BotRun:
    if not MODEL.exists():
        pytest.fail("models/tthc.tar.gz is missing: run `make model` (make test does it)")
    running = BotRun(tmp_path_factory.mktemp("bot-run"))
    running.start()
    try:
        running.wait_until("the assistant answering", lambda: _answers(running.say), STARTUP_SECONDS)
        running.wait_until("the standby Rasa server", lambda: "Rasa standby ready" in running.log, STARTUP_SECONDS)
        yield running
    finally:
        running.stop()


def kill_and_time_recovery(bot_run: BotRun, name: str, port: int, ask) -> float:
    """SIGKILL the server `bot run` started on `port`; seconds until `ask` gets a procedure answer again."""
    pid = listening_pid(port)
    assert pid is not None, f"nothing listens on {port} for the {name}"
    assert parent_pid(pid) == bot_run.proc.pid, f"{pid} on port {port} is not a child of bot run"
    os.kill(pid, signal.SIGKILL)
    killed_at = time.monotonic()
    while time.monotonic() - killed_at < RECOVERY_SECONDS:
        if _answers(ask):
            break
        time.sleep(0.5)
    took = time.monotonic() - killed_at
    assert took < RECOVERY_SECONDS, f"no answer {RECOVERY_SECONDS} s after kill -9 of the {name}:\n{bot_run.log[-3000:]}"
    assert listening_pid(port) not in (None, pid)
    assert f"{name} đã dừng (bị dừng bởi tín hiệu SIGKILL). Khởi động lại lần 1/" in bot_run.log
    print(f"{name}: answered again {took:.1f} s after kill -9")  # shown with -s or -rP
    return took


def _about_passport_time(text: str) -> bool:
    return PASSPORT_CODE in text and "thời gian" in text.lower()


def test_action_server_kill_recovers_with_the_conversation(bot_run):
    sender = f"citizen-{uuid.uuid4().hex[:8]}"
    assert PASSPORT_CODE in bot_run.say(sender, FIRST_QUESTION)
    kill_and_time_recovery(bot_run, "action server", bot_run.ports["action"], bot_run.say)
    follow_up = bot_run.say(sender, FOLLOW_UP)
    assert _about_passport_time(follow_up), follow_up


def test_web_server_kill_recovers_with_the_kiosk_conversation(bot_run):
    session = uuid.uuid4().hex[:12]
    assert PASSPORT_CODE in bot_run.kiosk_say(session, FIRST_QUESTION)
    kill_and_time_recovery(bot_run, "web server", bot_run.ports["web"], bot_run.kiosk_say)
    follow_up = bot_run.kiosk_say(session, FOLLOW_UP)
    assert _about_passport_time(follow_up), follow_up


def test_rasa_server_kill_recovers_with_the_conversation(bot_run):
    sender = f"citizen-{uuid.uuid4().hex[:8]}"
    assert PASSPORT_CODE in bot_run.say(sender, FIRST_QUESTION)
    bot_run.wait_until("the standby Rasa server", lambda: "Rasa standby ready" in bot_run.log, STARTUP_SECONDS)
    kill_and_time_recovery(bot_run, "Rasa server", bot_run.ports["rasa"], bot_run.say)
    assert "the standby Rasa server takes over" in bot_run.log
    follow_up = bot_run.say(sender, FOLLOW_UP)
    assert _about_passport_time(follow_up), (
        "context lost when the standby took over: conversations must live in a shared tracker store "
        f"(Rasa's SQL tracker store in endpoints.yml), not in the Rasa server's memory. Reply: {follow_up}")


def test_sigterm_stops_every_component(bot_run):
    bot_run.proc.send_signal(signal.SIGTERM)
    assert bot_run.proc.wait(timeout=60) == 0
    assert "Đang tắt trợ lý..." in bot_run.log
    assert [port for port in bot_run.ports.values() if listening_pid(port) is not None] == []
