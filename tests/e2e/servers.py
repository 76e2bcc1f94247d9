"""Start the real action server and Rasa server on free ports for end-to-end tests."""

from __future__ import annotations

import json
import os
import random
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from bot.cli.run import ProcessSpec, planned_processes
from bot.settings import PROJECT_ROOT, Settings

MODEL = PROJECT_ROOT / "models" / "tthc.tar.gz"


# Ports are picked below the kernel's ephemeral range (32768-60999 on Linux): a
# port the kernel hands out with bind(0) can be taken again, before our server
# binds it, by any outgoing connection (Rasa to the action server, a test's own
# HTTP client), which made a server exit at start under load.
_PORT_RANGE = (20000, 32000)
_handed_out: set[int] = set()


def free_port() -> int:
    """A loopback port nothing listens on, never the same one twice in a test run."""
    for _ in range(200):
        port = random.randint(*_PORT_RANGE)
        if port in _handed_out:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _handed_out.add(port)
        return port
    raise RuntimeError("no free loopback port in %d-%d" % _PORT_RANGE)


class ServerExited(RuntimeError):
    """A server process ended before it answered; the message carries its last log lines."""


def _log_tail(proc: subprocess.Popen, lines: int = 15) -> str:
    log = getattr(proc, "log_path", None)
    if log is None or not Path(log).exists():
        return ""
    tail = Path(log).read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
    return "\n".join(tail)


def _wait(url: str, proc: subprocess.Popen, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ServerExited(f"server exited with {proc.returncode} before {url} answered\n{_log_tail(proc)}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(1)
    raise TimeoutError(url)


@dataclass
class RunningAssistant:
    url: str
    env: dict
    procs: list

    def post(self, path: str, payload: dict, headers: dict | None = None, timeout: float = 60):
        request = urllib.request.Request(
            f"{self.url}{path}",
            data=json.dumps(payload).encode("utf-8"),
            headers={"Content-Type": "application/json", **(headers or {})},
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read().decode("utf-8") or "null")

    def say(self, sender: str, message: str) -> list[dict]:
        status, body = self.post("/webhooks/rest/webhook", {"sender": sender, "message": message})
        assert status == 200
        return body

    def stop(self) -> None:
        _stop(self.procs)


def _stop(procs: list) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


@dataclass
class RunningWeb:
    url: str
    proc: subprocess.Popen

    def stop(self) -> None:
        _stop([self.proc])


def _spec(env: dict, name: str, credentials: str = "credentials.yml") -> ProcessSpec:
    """The process `bot run` would start under `name` with these settings: one command line for both."""
    settings = Settings.from_env(env)
    (spec,) = [s for s in planned_processes(settings, MODEL, credentials) if s.name == name]
    return spec


def _start(spec: ProcessSpec, env: dict, log: Path) -> subprocess.Popen:
    with open(log, "ab") as out:
        proc = subprocess.Popen(spec.argv, env=env, cwd=PROJECT_ROOT, stdout=out, stderr=subprocess.STDOUT)
    proc.log_path = log
    return proc


def start_web(env: dict, log_dir: Path, ready_path: str = "/health") -> RunningWeb:
    """`bot web` on a free loopback port with `env` (usually the assistant's, plus settings)."""
    port = free_port()
    log_dir.mkdir(parents=True, exist_ok=True)
    env = {**env, "WEB_HOST": "127.0.0.1", "WEB_PORT": str(port)}
    proc = _start(_spec(env, "web server"), env, log_dir / "web.log")
    web = RunningWeb(f"http://127.0.0.1:{port}", proc)
    try:
        _wait(f"{web.url}{ready_path}", proc, timeout=120)
    except Exception:
        web.stop()
        raise
    return web


def start_assistant(var_dir: Path, extra_env: dict | None = None, credentials: str = "credentials.yml",
                    attempts: int = 3) -> RunningAssistant:
    """Load the catalog into a fresh database under `var_dir` and start both servers as `bot run` does.

    A server that exits before it answers is started again on new ports (its log
    is kept and quoted if the last attempt fails too).
    """
    for attempt in range(1, attempts + 1):
        try:
            return _start_assistant(var_dir, extra_env, credentials)
        except ServerExited:
            if attempt == attempts:
                raise
    raise AssertionError("unreachable")


def _start_assistant(var_dir: Path, extra_env: dict | None, credentials: str) -> RunningAssistant:
    rasa_port, action_port = free_port(), free_port()
    env = {
        **os.environ,
        "TTHC_VAR_DIR": str(var_dir),
        "ACTION_PORT": str(action_port),
        "RASA_HOST": "127.0.0.1",
        "RASA_PORT": str(rasa_port),
        "PYTHONPATH": str(PROJECT_ROOT),
        "RASA_API_TOKEN": secrets.token_urlsafe(16),  # as `bot run` does: the HTTP API needs it
        "ACTION_SERVER_SECRET": secrets.token_urlsafe(16),  # and so does the action server
        **(extra_env or {}),
    }
    subprocess.run([str(Path(sys.executable).parent / "bot"), "procedures", "load"], env=env, cwd=PROJECT_ROOT,
                   check=True, capture_output=True)
    log_dir = var_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    action_spec, rasa_spec = _spec(env, "action server"), _spec(env, "Rasa server", credentials)
    actions = _start(action_spec, env, log_dir / "actions.log")
    rasa = _start(rasa_spec, env, log_dir / "rasa.log")
    running = RunningAssistant(f"http://127.0.0.1:{rasa_port}", env, [actions, rasa])
    try:
        _wait(action_spec.ready_url, actions)
        _wait(rasa_spec.ready_url, rasa)
    except Exception:
        running.stop()
        raise
    return running
