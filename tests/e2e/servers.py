"""Start the real action server and Rasa server on free ports for end-to-end tests."""

from __future__ import annotations

import json
import os
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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, proc: subprocess.Popen, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before {url} answered")
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
    return subprocess.Popen(spec.argv, env=env, cwd=PROJECT_ROOT, stdout=open(log, "wb"), stderr=subprocess.STDOUT)


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


def start_assistant(var_dir: Path, extra_env: dict | None = None, credentials: str = "credentials.yml") -> RunningAssistant:
    """Load the catalog into a fresh database under `var_dir` and start both servers as `bot run` does."""
    rasa_port, action_port = free_port(), free_port()
    env = {
        **os.environ,
        "TTHC_VAR_DIR": str(var_dir),
        "ACTION_PORT": str(action_port),
        "RASA_HOST": "127.0.0.1",
        "RASA_PORT": str(rasa_port),
        "PYTHONPATH": str(PROJECT_ROOT),
        "RASA_API_TOKEN": secrets.token_urlsafe(16),  # as `bot run` does: the HTTP API needs it
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
