"""The action server: rasa_sdk's executor for `bot.actions`, behind a closed door.

`bot actions` (started by `bot run`) serves it on ACTION_HOST:ACTION_PORT
(127.0.0.1:5055 by default) instead of `rasa run actions`, which listens on
every interface and runs whatever tracker anyone posts:

- every call to /webhook (and /actions) must carry `Authorization: Bearer
  <ACTION_SERVER_SECRET>`, which the Rasa server sends from `endpoints.yml`;
  a missing or wrong secret gets 401 and nothing runs. /health stays open.
- actions run in a pool of ACTION_WORKERS threads, each with its own event
  loop, so an action's database calls never hold up the server's loop (our
  actions are `async def` but call the database synchronously).
- an action that raises is logged by exception type and traceback only (no
  tracker, no slot, no exception text, which can hold SQL parameters), and
  Rasa gets a normal answer carrying the polite `ACTION_FAILED` sentence: Rasa
  then has no error body to log, and the citizen is told to try again.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import threading
import traceback
import zlib
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)

ACTIONS_PACKAGE = "bot.actions"
MAX_BODY_BYTES = 16 * 1024 * 1024
# What the citizen reads when an action fails (the conversation goes on).
ACTION_FAILED = (
    "Xin lỗi, hệ thống đang gặp sự cố nên tôi chưa trả lời được. "
    "Bạn vui lòng thử lại sau ít phút, hoặc hỏi cán bộ tại bộ phận một cửa."
)


def authorized(header: str | None, secret: str) -> bool:
    """Whether an Authorization header carries the shared secret (constant-time)."""
    if not secret or not header:
        return False
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode("utf-8", "replace"), secret.encode("utf-8"))


def describe_failure(exc: BaseException) -> str:
    """An exception's types (with its causes) and traceback lines, never its message or locals."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain and len(chain) < 5:
        chain.append(current)
        current = current.__cause__ or current.__context__
    kinds = " <- ".join(f"{type(e).__module__}.{type(e).__qualname__}" for e in chain)
    frames = "".join(traceback.format_tb(exc.__traceback__))
    return f"{kinds}\n{frames}".rstrip()


def _failed_answer() -> dict:
    return {"events": [], "responses": [{"text": ACTION_FAILED}]}


class _ThreadLoops:
    """Runs a coroutine to completion on the calling thread's own event loop."""

    def __init__(self) -> None:
        self._local = threading.local()

    def run(self, coroutine) -> Any:
        loop = getattr(self._local, "loop", None)
        if loop is None:
            loop = self._local.loop = asyncio.new_event_loop()
        return loop.run_until_complete(coroutine)


def create_app(secret: str, *, workers: int = 8, actions: str = ACTIONS_PACKAGE,
               name: str = "tthc_actions") -> Sanic:
    """The Sanic app serving `actions`; refuses to build without a secret."""
    from rasa_sdk import utils
    from rasa_sdk.executor import ActionExecutor
    from rasa_sdk.interfaces import ActionExecutionRejection, ActionNotFoundException

    if not secret:
        raise ValueError("the action server needs a secret (ACTION_SERVER_SECRET)")
    app = Sanic(name, configure_logging=False)
    app.config.REQUEST_MAX_SIZE = MAX_BODY_BYTES
    executor = ActionExecutor()
    executor.register_package(actions)
    loops = _ThreadLoops()
    state: dict[str, ThreadPoolExecutor] = {}

    @app.listener("before_server_start")
    async def start_pool(app, loop) -> None:
        state["pool"] = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="action")

    @app.listener("after_server_stop")
    async def stop_pool(app, loop) -> None:
        pool = state.pop("pool", None)
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    def refused() -> HTTPResponse:
        return response.json({"error": "unauthorized"}, status=401)

    @app.get("/health")
    async def health(request: Request) -> HTTPResponse:
        return response.json({"status": "ok"})

    @app.get("/actions")
    async def list_actions(request: Request) -> HTTPResponse:
        if not authorized(request.headers.get("authorization"), secret):
            return refused()
        return response.json([{"name": k} for k in executor.actions])

    @app.post("/webhook")
    async def webhook(request: Request) -> HTTPResponse:
        if not authorized(request.headers.get("authorization"), secret):
            logger.warning("action call refused: no valid secret (from %s)", request.ip)
            return refused()
        try:
            raw = request.body or b""
            if request.headers.get("content-encoding") == "deflate":
                raw = zlib.decompressobj().decompress(raw, MAX_BODY_BYTES)
            call = json.loads(raw)
        except (ValueError, RecursionError, zlib.error):
            return response.json({"error": "invalid body"}, status=400)
        if not isinstance(call, dict) or not isinstance(call.get("tracker"), dict):
            return response.json({"error": "invalid body"}, status=400)
        action_name = call.get("next_action")
        known = action_name if action_name in executor.actions else "(unknown)"
        utils.check_version_compatibility(call.get("version"))
        loop = asyncio.get_running_loop()
        try:
            result = await loop.run_in_executor(state["pool"], loops.run, executor.run(call))
        except ActionExecutionRejection as exc:
            return response.json({"error": exc.message, "action_name": exc.action_name}, status=400)
        except ActionNotFoundException as exc:
            logger.error("no action named %r", str(exc.action_name)[:80])
            return response.json({"error": "no such action", "action_name": exc.action_name}, status=404)
        except Exception as exc:  # noqa: BLE001 - logged without the tracker; the citizen gets a polite reply
            logger.error("action %s failed: %s", known, describe_failure(exc))
            return response.json(_failed_answer())
        return response.json(result if result is not None else {"events": [], "responses": []})

    @app.exception(Exception)
    async def unexpected(request: Request, exc: Exception) -> HTTPResponse:
        status = getattr(exc, "status_code", 500)
        if status >= 500:
            logger.error("action server error on %s: %s", request.path, describe_failure(exc))
        return response.json({"error": "error"}, status=status)

    return app


def serve(host: str, port: int, secret: str, workers: int) -> None:
    """Run the action server in the foreground until it is stopped."""
    app = create_app(secret, workers=workers)
    logger.info("action server on http://%s:%d (secret required)", host, port)
    app.run(host=host, port=port, workers=1, access_log=False, motd=False)
