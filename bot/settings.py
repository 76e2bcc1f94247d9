"""The one place that reads the environment.

Entry points call `get_settings()` (read once per process, never at import
time) and pass the `Settings` down; tests build their own with
`Settings.from_env({...})` and pass it in instead of changing the environment.
"""

from __future__ import annotations

import os
import shlex
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The lexicon trainers extend; the Rasa components always read this one (LEXICON_PATH is for the core).
LEXICON = PROJECT_ROOT / "data" / "lexicon" / "vi.yml"


def _int(env: dict, name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a whole number, got {raw!r}") from exc


def _minutes(env: dict, name: str) -> float | None:
    raw = env.get(name, "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a number of minutes, got {raw!r}") from exc
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {raw!r}")
    return value


def _flag(env: dict, name: str) -> bool:
    raw = env.get(name, "").strip().lower()
    if raw in ("", "0", "false", "no", "off"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    raise ValueError(f"{name} must be true or false, got {raw!r}")


def _positive(env: dict, name: str, default: int) -> int:
    value = _int(env, name, default)
    if value < 1:
        raise ValueError(f"{name} must be at least 1, got {value}")
    return value


@dataclass(frozen=True)
class Settings:
    database_url: str
    catalog_dir: Path
    lexicon_path: Path
    deployment_file: Path
    rasa_host: str = "127.0.0.1"
    rasa_port: int = 5005
    action_port: int = 5055
    action_host: str = "127.0.0.1"  # where the action server listens
    action_server_secret: str = ""  # Rasa sends it on every action call; `bot run` makes one when unset
    action_workers: int = 8  # threads running actions (they call the database)
    web_host: str = "127.0.0.1"
    web_port: int = 5056
    model_dir: Path = PROJECT_ROOT / "models"
    rasa_api_token: str = ""  # Rasa's HTTP API (--auth-token); `bot run` makes one when unset
    dossier_api_token: str = ""
    dossier_check_failures_per_code: int = 10  # per dossier code per hour, across all conversations
    dossier_check_failures_per_ip: int = 20  # per kiosk address per hour
    dossier_check_failures_global: int = 300  # all failed checks per hour, then every check waits
    kiosk_messages_per_ip: int = 30  # kiosk API messages per address per minute
    telegram_bot_token: str = ""
    telegram_webhook_url: str = ""
    telegram_webhook_secret: str = ""
    telegram_api_base: str = ""
    zalo_app_id: str = ""
    zalo_oa_secret_key: str = ""
    zalo_access_token: str = ""
    zalo_api_base: str = "https://openapi.zalo.me"
    zalo_app_secret: str = ""  # the app's secret key (not the OA secret key), for token renewal
    zalo_refresh_token: str = ""
    zalo_oauth_base: str = "https://oauth.zaloapp.com"
    zalo_event_window_seconds: int = 300  # a webhook event stamped further from now is refused (replays)
    # Conversations (Rasa's tracker store, in the same database; see docs/operations.md, "Privacy").
    conversation_retention_days: int = 30  # `bot conversations purge` and its daily run; 0 keeps them
    session_expiration_minutes: float | None = None  # idle time before a new session; None: domain.yml's
    session_max_events: int = 100  # about nine turns; a longer session is compacted (flat cost per turn)
    # The staff console (/staff/ of `bot web`).
    staff_cookie_secret: str = ""  # empty: one is made and kept in the database (table app_secrets)
    staff_idle_minutes: int = 30  # a console session unused this long must log in again
    staff_cookie_secure: bool = False  # send the cookie over HTTPS only (set it when a proxy serves HTTPS)
    staff_login_failures_per_account: int = 5  # wrong passwords in a row, then the account is locked
    staff_lockout_minutes: int = 15  # how long an account stays locked
    staff_login_failures_per_ip: int = 20  # failed logins per address in `staff_lockout_minutes`
    staff_stale_days: int = 180  # the staleness board's default: records not checked for this many days
    nlu_dir: Path = PROJECT_ROOT / "data" / "nlu"  # training data the console's trainers add to (NLU_DIR)
    nlu_report_dir: Path = PROJECT_ROOT / "reports" / "nlu"  # `bot nlu eval` reports, shown in the console
    nlu_retrain_command: tuple[str, ...] = ()  # the console's retraining job; empty: `bot nlu eval --train --switch`

    @property
    def rasa_url(self) -> str:
        return f"http://{self.rasa_host}:{self.rasa_port}"

    @classmethod
    def from_env(cls, env: dict | None = None) -> "Settings":
        env = dict(os.environ if env is None else env)
        var_dir = Path(env.get("TTHC_VAR_DIR") or PROJECT_ROOT / "var")
        return cls(
            database_url=env.get("DATABASE_URL") or f"sqlite:///{var_dir / 'tthc.db'}",
            catalog_dir=Path(env.get("CATALOG_DIR") or PROJECT_ROOT / "data" / "procedures"),
            lexicon_path=Path(env.get("LEXICON_PATH") or LEXICON),
            deployment_file=Path(env.get("DEPLOYMENT_FILE") or PROJECT_ROOT / "data" / "deployment.yml"),
            rasa_host=env.get("RASA_HOST") or "127.0.0.1",
            rasa_port=_int(env, "RASA_PORT", 5005),
            action_port=_int(env, "ACTION_PORT", 5055),
            action_host=env.get("ACTION_HOST") or "127.0.0.1",
            action_server_secret=env.get("ACTION_SERVER_SECRET", ""),
            action_workers=_positive(env, "ACTION_WORKERS", 8),
            web_host=env.get("WEB_HOST") or "127.0.0.1",
            web_port=_int(env, "WEB_PORT", 5056),
            model_dir=Path(env.get("MODEL_DIR") or PROJECT_ROOT / "models"),
            rasa_api_token=env.get("RASA_API_TOKEN", ""),
            dossier_api_token=env.get("DOSSIER_API_TOKEN", ""),
            dossier_check_failures_per_code=_positive(env, "DOSSIER_CHECK_FAILURES_PER_CODE", 10),
            dossier_check_failures_per_ip=_positive(env, "DOSSIER_CHECK_FAILURES_PER_IP", 20),
            dossier_check_failures_global=_positive(env, "DOSSIER_CHECK_FAILURES_GLOBAL", 300),
            kiosk_messages_per_ip=_positive(env, "KIOSK_MESSAGES_PER_IP", 30),
            telegram_bot_token=env.get("TELEGRAM_BOT_TOKEN", ""),
            telegram_webhook_url=env.get("TELEGRAM_WEBHOOK_URL", ""),
            telegram_webhook_secret=env.get("TELEGRAM_WEBHOOK_SECRET", ""),
            telegram_api_base=env.get("TELEGRAM_API_BASE", ""),
            zalo_app_id=env.get("ZALO_APP_ID", ""),
            zalo_oa_secret_key=env.get("ZALO_OA_SECRET_KEY", ""),
            zalo_access_token=env.get("ZALO_ACCESS_TOKEN", ""),
            zalo_api_base=env.get("ZALO_API_BASE") or "https://openapi.zalo.me",
            zalo_app_secret=env.get("ZALO_APP_SECRET", ""),
            zalo_refresh_token=env.get("ZALO_REFRESH_TOKEN", ""),
            zalo_oauth_base=env.get("ZALO_OAUTH_BASE") or "https://oauth.zaloapp.com",
            zalo_event_window_seconds=_int(env, "ZALO_EVENT_WINDOW_SECONDS", 300),
            conversation_retention_days=_int(env, "CONVERSATION_RETENTION_DAYS", 30),
            session_expiration_minutes=_minutes(env, "SESSION_EXPIRATION_MINUTES"),
            session_max_events=_int(env, "SESSION_MAX_EVENTS", 100),
            staff_cookie_secret=env.get("STAFF_COOKIE_SECRET", ""),
            staff_idle_minutes=_positive(env, "STAFF_IDLE_MINUTES", 30),
            staff_cookie_secure=_flag(env, "STAFF_COOKIE_SECURE"),
            staff_login_failures_per_account=_positive(env, "STAFF_LOGIN_FAILURES_PER_ACCOUNT", 5),
            staff_lockout_minutes=_positive(env, "STAFF_LOCKOUT_MINUTES", 15),
            staff_login_failures_per_ip=_positive(env, "STAFF_LOGIN_FAILURES_PER_IP", 20),
            staff_stale_days=_positive(env, "STAFF_STALE_DAYS", 180),
            nlu_dir=Path(env.get("NLU_DIR") or PROJECT_ROOT / "data" / "nlu"),
            nlu_report_dir=Path(env.get("NLU_REPORT_DIR") or PROJECT_ROOT / "reports" / "nlu"),
            nlu_retrain_command=tuple(shlex.split(env.get("NLU_RETRAIN_COMMAND", ""))),
        )

    @property
    def zalo_can_send(self) -> bool:
        """A fixed access token, or what it takes to renew one."""
        return bool(self.zalo_access_token or (self.zalo_app_id and self.zalo_app_secret and self.zalo_refresh_token))


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, from its environment."""
    return Settings.from_env()
