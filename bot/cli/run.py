"""`bot run`: start every part of the assistant and keep it running in the foreground.

Starts the action server (`bot actions`, answering only calls that carry
ACTION_SERVER_SECRET) and the Rasa server (REST channel and HTTP API, the API
closed by a token: RASA_API_TOKEN); either secret, when unset, is a random one
per run that only the processes started here know. Then the web server,
Telegram / the Zalo worker when configured; it waits until they answer, prints
where to talk to the assistant, then starts a second Rasa server that waits, model loaded, to take over the
port if the first dies (`--no-standby` turns it off; bot/cli/rasa_server.py).

From then on `bot/cli/supervisor.py` keeps them running: a component that
exits is started again after a wait that doubles (1 s, 2 s, 4 s ...), with a
log line each time; one that dies more than `--max-restarts` times within
`--restart-window` seconds stops everything (exit code 2, for systemd to see).
Ctrl+C or SIGTERM stops every child.
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
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from bot.cli.context import Context
from bot.cli.supervisor import GaveUp, RestartPolicy, StartupFailed, Supervisor
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


def planned_processes(settings: Settings, model: Path, credentials: str = "credentials.yml",
                      standby: bool = True) -> list[ProcessSpec]:
    """Every process `bot run` starts, in order, with the URL that says it is ready.

    With `standby`, a second copy of the Rasa server ("Rasa server 2", started last) loads the
    model and waits for the port: it takes over within a second when the serving copy dies
    (bot/cli/rasa_server.py). The two copies take turns; whichever holds the port serves.
    """
    rasa_argv = [
        sys.executable, "-m", "bot.cli.rasa_server", "run", "--model", str(model), "--enable-api",
        "--interface", settings.rasa_host, "--port", str(settings.rasa_port),
        "--credentials", credentials, "--endpoints", "endpoints.yml",
        # one argument: a random token may start with "-", which argparse would take for an option
        *([f"--auth-token={settings.rasa_api_token}"] if settings.rasa_api_token else []),
    ]
    specs = [
        ProcessSpec(
            "action server",
            [_bin("bot"), "actions", "--host", settings.action_host, "--port", str(settings.action_port)],
            ready_url=f"http://{_local(settings.action_host)}:{settings.action_port}/health",
        ),
        ProcessSpec(
            "Rasa server",
            rasa_argv,
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
    if standby:
        specs.append(ProcessSpec("Rasa server 2", rasa_argv))
    return specs


def with_run_secrets(settings: Settings) -> Settings:
    """The settings with a random Rasa API token and action server secret where none is set."""
    if not settings.rasa_api_token:
        settings = dataclasses.replace(settings, rasa_api_token=secrets.token_urlsafe(24))
    if not settings.action_server_secret:
        settings = dataclasses.replace(settings, action_server_secret=secrets.token_urlsafe(24))
    return settings


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("run", help="Chạy trợ lý (máy chủ hành động và máy chủ Rasa)")
    parser.add_argument("--ready-timeout", type=float, default=300)
    parser.add_argument("--max-restarts", type=int, default=RestartPolicy.max_restarts,
                        help="Số lần khởi động lại một thành phần trong cửa sổ thời gian trước khi tắt hẳn")
    parser.add_argument("--restart-window", type=float, default=RestartPolicy.window,
                        help="Cửa sổ thời gian (giây) để đếm số lần khởi động lại")
    parser.add_argument("--no-standby", dest="standby", action="store_false",
                        help="Không chạy bản Rasa dự phòng (tiết kiệm khoảng 1,5 GB RAM; "
                             "máy chủ Rasa chết thì mất từ 30 giây đến hơn 2 phút mới trả lời lại)")
    parser.set_defaults(handler=_run)


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: the child gets SIGTERM if `bot run` itself is killed, so no server is left holding a port."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def process_starter(env: dict) -> Callable[[ProcessSpec], subprocess.Popen]:
    """How `bot run` starts a component: in the project folder, with `env`."""
    preexec = _die_with_parent if sys.platform.startswith("linux") else None

    def start(spec: ProcessSpec) -> subprocess.Popen:
        return subprocess.Popen(spec.argv, cwd=PROJECT_ROOT, env=env, preexec_fn=preexec)

    return start


class _Terminated(Exception):
    """SIGTERM (systemd stop, kill): stop the children as on Ctrl+C."""


def _on_sigterm(signum, frame) -> None:
    raise _Terminated()


def _log(message: str) -> None:
    print(f"[bot run {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _run(args: argparse.Namespace, ctx: Context) -> int:
    from bot.cli.errors import CommandError

    settings = ctx.settings()
    model = latest_model(settings.model_dir)
    if model is None:
        raise CommandError("Chưa có mô hình trong models/. Hãy chạy `make run` (tự huấn luyện) hoặc `make model`.")
    if args.max_restarts < 0 or args.restart_window <= 0:
        raise CommandError("--max-restarts phải từ 0 trở lên và --restart-window phải lớn hơn 0.")
    settings = with_run_secrets(settings)
    env = {**os.environ, "ACTION_PORT": str(settings.action_port), "PYTHONPATH": str(PROJECT_ROOT),
           "RASA_API_TOKEN": settings.rasa_api_token, "ACTION_SERVER_SECRET": settings.action_server_secret}
    policy = dataclasses.replace(RestartPolicy(), max_restarts=args.max_restarts, window=args.restart_window)
    supervisor = Supervisor(planned_processes(settings, model, standby=args.standby), process_starter(env), policy=policy, log=_log)
    previous_sigterm = signal.signal(signal.SIGTERM, _on_sigterm)
    purge = None
    try:
        try:
            supervisor.start_all(args.ready_timeout, progress=lambda text: print(text, end="", flush=True))
        except StartupFailed as exc:
            print(" thất bại.")
            raise CommandError(str(exc)) from None
        purge = _start_daily_purge(settings)
        _print_where(settings)
        supervisor.run()
        return 0
    except GaveUp as exc:
        raise CommandError(str(exc)) from None
    except (KeyboardInterrupt, _Terminated):
        print("\nĐang tắt trợ lý...", flush=True)
        return 0
    finally:
        if purge is not None:
            purge.stop()
        # A second Ctrl+C or SIGTERM must not cut the shutdown short and leave servers running.
        previous_sigint = signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        supervisor.stop()
        signal.signal(signal.SIGINT, previous_sigint)
        signal.signal(signal.SIGTERM, previous_sigterm)


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
