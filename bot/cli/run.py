"""`bot run`: start every part of the assistant and stay in the foreground.

Starts the action server and the Rasa server (REST channel and HTTP API, the
API closed by a token: RASA_API_TOKEN, or a random one per run that only the
processes started here know), waits until they answer, prints where to talk
to the assistant, and stops them all on Ctrl+C or when any of them exits.
While it runs, conversations older than CONVERSATION_RETENTION_DAYS are purged
once a day (`bot.cli.conversations.DailyPurge`).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from bot.cli.context import Context
from bot.settings import PROJECT_ROOT, Settings


@dataclass(frozen=True)
class ProcessSpec:
    name: str
    argv: list[str]
    ready_url: str | None = None


def _bin(name: str) -> str:
    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.exists() else name


def latest_model(model_dir: Path) -> Path | None:
    models = sorted(model_dir.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    return models[-1] if models else None


def _local(host: str) -> str:
    """Where to reach a server from this machine: a wildcard address means loopback."""
    return "127.0.0.1" if host in ("", "0.0.0.0", "::") else host


def planned_processes(settings: Settings, model: Path, credentials: str = "credentials.yml") -> list[ProcessSpec]:
    """Every process `bot run` starts, in order, with the URL that says it is ready."""
    specs = [
        ProcessSpec(
            "action server",
            [_bin("rasa"), "run", "actions", "--actions", "bot.actions", "--port", str(settings.action_port)],
            ready_url=f"http://127.0.0.1:{settings.action_port}/health",
        ),
        ProcessSpec(
            "Rasa server",
            [
                _bin("rasa"), "run", "--model", str(model), "--enable-api",
                "--interface", settings.rasa_host, "--port", str(settings.rasa_port),
                "--credentials", credentials, "--endpoints", "endpoints.yml",
                *(["--auth-token", settings.rasa_api_token] if settings.rasa_api_token else []),
            ],
            ready_url=f"{settings.rasa_url}/status"
            + (f"?token={settings.rasa_api_token}" if settings.rasa_api_token else ""),
        ),
        ProcessSpec(
            "web server",
            [_bin("bot"), "web", "--host", settings.web_host, "--port", str(settings.web_port)],
            ready_url=f"http://{_local(settings.web_host)}:{settings.web_port}/health",
        ),
    ]
    if settings.telegram_bot_token:
        specs.append(ProcessSpec("Telegram", [_bin("bot"), "telegram"]))
    if settings.zalo_can_send:
        specs.append(ProcessSpec("Zalo notifications", [_bin("bot"), "zalo-worker"]))
    return specs


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("run", help="Chạy trợ lý (máy chủ hành động và máy chủ Rasa)")
    parser.add_argument("--ready-timeout", type=float, default=300)
    parser.set_defaults(handler=_run)


def _wait_ready(url: str, proc: subprocess.Popen, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=2):
                return True
        except OSError:
            print(".", end="", flush=True)
            time.sleep(2)
    return False


def _stop(procs: list[tuple[ProcessSpec, subprocess.Popen]]) -> None:
    for _, proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 15
    for _, proc in procs:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()


def _run(args: argparse.Namespace, ctx: Context) -> int:
    from bot.cli.errors import CommandError

    settings = ctx.settings()
    model = latest_model(settings.model_dir)
    if model is None:
        raise CommandError("Chưa có mô hình trong models/. Hãy chạy `make run` (tự huấn luyện) hoặc `make model`.")
    if not settings.rasa_api_token:
        settings = dataclasses.replace(settings, rasa_api_token=secrets.token_urlsafe(24))
    env = {**os.environ, "ACTION_PORT": str(settings.action_port), "PYTHONPATH": str(PROJECT_ROOT),
           "RASA_API_TOKEN": settings.rasa_api_token}
    procs: list[tuple[ProcessSpec, subprocess.Popen]] = []
    purge = None
    try:
        for spec in planned_processes(settings, model):
            print(f"Đang khởi động {spec.name}", end="", flush=True)
            proc = subprocess.Popen(spec.argv, cwd=PROJECT_ROOT, env=env)
            procs.append((spec, proc))
            if spec.ready_url and not _wait_ready(spec.ready_url, proc, args.ready_timeout):
                print(" thất bại.")
                raise CommandError(f"{spec.name} không khởi động được; xem thông báo lỗi ở trên.")
            print(" sẵn sàng.")
        purge = _start_daily_purge(settings)
        _print_where(settings)
        while all(proc.poll() is None for _, proc in procs):
            time.sleep(1)
        stopped = [spec.name for spec, proc in procs if proc.poll() is not None]
        raise CommandError(f"{', '.join(stopped)} đã dừng; đang tắt các phần còn lại.")
    except KeyboardInterrupt:
        print("\nĐang tắt trợ lý...")
        return 0
    finally:
        if purge is not None:
            purge.stop()
        _stop(procs)


def _start_daily_purge(settings: Settings):
    """The daily conversation purge on a background thread; None when retention is off (0 days)."""
    if settings.conversation_retention_days < 1:
        return None
    from bot.app import build_engine
    from bot.cli.conversations import DailyPurge
    from bot.db.conversation_store import ConversationStore

    return DailyPurge(ConversationStore(build_engine(settings)), settings.conversation_retention_days).start()


def _print_where(settings: Settings) -> None:
    print()
    print("Trợ lý đã sẵn sàng. Nói chuyện với trợ lý:")
    print("  - Trong cửa sổ dòng lệnh: .venv/bin/bot chat")
    print(f"  - Qua REST: POST {settings.rasa_url}/webhooks/rest/webhook")
    print('      {"sender": "nguoi-dan-1", "message": "lam giay khai sinh can giay to gi"}')
    print(f"  - Màn hình kiosk: http://{_local(settings.web_host)}:{settings.web_port}/kiosk/")
    print(f"  - Một cửa đẩy hồ sơ: POST http://{settings.web_host}:{settings.web_port}/api/dossiers"
          " (Authorization: Bearer DOSSIER_API_TOKEN)")
    if settings.telegram_bot_token:
        print("  - Telegram: kênh Telegram đã chạy (long polling); nhắn cho bot của bạn trên Telegram.")
    else:
        print("  - Telegram: chưa bật. Đặt TELEGRAM_BOT_TOKEN (mã bot từ @BotFather) rồi chạy lại `make run`.")
    if settings.zalo_app_id and settings.zalo_oa_secret_key:
        print(f"  - Zalo OA: webhook {settings.rasa_url}/webhooks/zalo/webhook"
              " (đăng ký địa chỉ HTTPS công khai trỏ về đây trong trang Zalo for Developers).")
    else:
        print("  - Zalo OA: chưa bật. Đặt ZALO_APP_ID, ZALO_OA_SECRET_KEY và ZALO_ACCESS_TOKEN"
              " hoặc ZALO_APP_SECRET cùng ZALO_REFRESH_TOKEN (xem docs/channels.md).")
    print("Nhấn Ctrl+C để dừng.")
