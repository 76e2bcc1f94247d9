"""The kiosk touch-screen page and the small same-origin API it calls (aiohttp).

`add_kiosk_routes(app, services)` registers:

    GET  /kiosk/                      the page (static/kiosk/index.html)
    GET  /kiosk/static/...            its CSS, JS and the vendored QR-code generator
    GET  /kiosk/api/topics            the start screen's big buttons (data/kiosk.yml)
    GET  /kiosk/api/suggest?q=        procedures as you type, diacritic-insensitive
    GET  /kiosk/api/checklist/<code>  the printable document checklist of a procedure
    POST /kiosk/api/message           {screen, session, message} -> Rasa REST channel
    POST /kiosk/api/reset             {screen, session} -> /restart, then the conversation is deleted

Messages and resets are limited per client address (KIOSK_MESSAGES_PER_IP a
minute, counted in the database for every process), so opening new sessions
does not multiply what one machine may try; the address also travels to the
actions as message metadata, where failed dossier checks count per address.

The page loads nothing from the internet and talks only to these URLs, so it
works on the centre's LAN and Rasa's HTTP API stays on loopback. The conversation
is named "kiosk:<screen>.<session>" by the server: a page cannot speak for
another channel's user. "Bắt đầu lại" (and the idle reset) makes the page pick a
new random session, unrelated to the old one, and deletes the old conversation
from the database: nothing a citizen typed stays behind for the next one.
Every bad request gets JSON `{"error", "message"}` with
a short Vietnamese sentence the page shows as the assistant's reply, never a trace.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import math
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from bot.channels.rasa_client import RasaClient, RasaUnavailable
from bot.core.answers import paginate
from bot.core.catalog import PROCEDURE_CODE_RE
from bot.core.checklist import checklist
from bot.core.conversations import sender_id
from bot.core.ratelimit import RateLimit
from bot.core.delivery import NO_REPLY, Reply, payload
from bot.core.inbound import Rejected, clean_text, read_json
from bot.core.suggestions import Suggester
from bot.db.conversation_store import ConversationStore
from bot.settings import PROJECT_ROOT
from bot.web.app import json_error

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static" / "kiosk"
TOPICS_FILE = PROJECT_ROOT / "data" / "kiosk.yml"

MAX_BODY_BYTES = 16 * 1024
MAX_MESSAGE_CHARS = 500
RASA_TIMEOUT_SECONDS = 60
_ID_RE = re.compile(r"[A-Za-z0-9_-]{1,40}")

# What the citizen reads when something goes wrong.
ERR_BAD_REQUEST = "Xin lỗi, màn hình gửi câu hỏi chưa đúng. Bạn bấm “Bắt đầu lại” rồi hỏi lại nhé."
ERR_EMPTY = "Bạn chưa nhập câu hỏi. Bạn chạm vào một việc cần làm, hoặc gõ vài chữ vào ô tìm kiếm."
ERR_TOO_LONG = "Câu hỏi dài quá. Bạn hỏi ngắn gọn giúp tôi, ví dụ: “làm căn cước cần giấy tờ gì”."
ERR_ASSISTANT_DOWN = (
    "Xin lỗi, trợ lý đang tạm dừng. Bạn vui lòng thử lại sau ít phút, "
    "hoặc hỏi cán bộ tại quầy một cửa."
)
ERR_NO_PROCEDURE = "Không tìm thấy thủ tục này. Bạn bấm “Bắt đầu lại” rồi chọn lại nhé."
ERR_TOO_FAST = "Bạn gửi nhanh quá. Bạn chờ một chút rồi hỏi lại nhé."


@dataclass(frozen=True)
class Topic:
    title: str
    code: str


def load_topics(path: Path = TOPICS_FILE) -> list[Topic]:
    """The start screen's buttons. A missing or malformed file means no buttons, logged."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        topics = [Topic(str(t["title"]).strip(), str(t["code"]).strip()) for t in data["topics"]]
    except (OSError, yaml.YAMLError, KeyError, TypeError) as exc:
        logger.error("kiosk topics not loaded from %s: %s", path, exc)
        return []
    return [t for t in topics if t.title and PROCEDURE_CODE_RE.fullmatch(t.code)]


def ask_payload(code: str) -> str:
    """The message a topic or suggestion button sends: the documents of one procedure."""
    return payload("ask_documents", procedure_code=code)


def bubble(reply: Reply) -> dict:
    """One reply as the page shows it: {text, more, buttons}. A bubble shows at most
    about 80 words; the rest comes behind "Xem thêm"."""
    first, *more = paginate([reply.text]) if reply.text.strip() else [""]
    return {"text": first, "more": more, "buttons": [{"title": b.title, "payload": b.payload} for b in reply.buttons]}


def _error(status: int, error: str, message: str) -> web.Response:
    """Shaped like every error of the web app: a code for programs, a sentence for people."""
    return json_error(status, error, message)


class KioskHandlers:
    def __init__(self, services, topics: list[Topic]):
        self.services = services
        self.topics = topics
        settings = services.settings
        self.rasa = RasaClient(settings.rasa_url, RASA_TIMEOUT_SECONDS, settings.rasa_api_token)
        self.per_ip = RateLimit(settings.kiosk_messages_per_ip, dt.timedelta(minutes=1))
        self._suggester: tuple[object, Suggester] | None = None

    # --- catalog -------------------------------------------------------

    def _suggester_now(self) -> Suggester:
        """Rebuilt when the guide is (after a catalog reload)."""
        guide = self.services.guide()
        if self._suggester is None or self._suggester[0] is not guide:
            suggester = Suggester(guide.records(), guide.matcher, self.services.lexicon)
            self._suggester = (guide, suggester)
        return self._suggester[1]

    async def page(self, request: web.Request) -> web.StreamResponse:
        return web.FileResponse(STATIC_DIR / "index.html", headers={"Cache-Control": "no-cache"})

    async def redirect_to_page(self, request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound("/kiosk/" + (f"?{request.query_string}" if request.query_string else ""))

    async def topics_view(self, request: web.Request) -> web.Response:
        def known() -> list[dict]:
            guide = self.services.guide()
            return [
                {"title": t.title, "code": t.code, "payload": ask_payload(t.code)}
                for t in self.topics
                if guide.get(t.code) is not None
            ]

        return web.json_response({"topics": await asyncio.to_thread(known)})

    async def suggest(self, request: web.Request) -> web.Response:
        query = request.query.get("q", "")

        def run() -> list[dict]:
            return [
                {"code": s.code, "name": s.name, "field": s.field, "tier": s.tier, "payload": ask_payload(s.code)}
                for s in self._suggester_now().suggest(query)
            ]

        return web.json_response({"query": query, "suggestions": await asyncio.to_thread(run)})

    async def checklist_view(self, request: web.Request) -> web.Response:
        code = request.match_info.get("code", "")
        if not PROCEDURE_CODE_RE.fullmatch(code):
            return _error(404, "unknown_procedure", ERR_NO_PROCEDURE)
        procedure = await asyncio.to_thread(self.services.catalog.get, code)
        if procedure is None:
            return _error(404, "unknown_procedure", ERR_NO_PROCEDURE)
        return web.json_response(checklist(procedure).to_dict())

    # --- conversation --------------------------------------------------

    async def _too_fast(self, request: web.Request) -> web.Response | None:
        """429 when this address has sent its messages for the minute (counted otherwise)."""
        until = await asyncio.to_thread(self.services.request_limits.hit, f"kiosk-ip:{request.remote}", self.per_ip)
        if until is None:
            return None
        wait = max(1, math.ceil((until - self.services.clock()).total_seconds()))
        return json_error(429, "too_many_requests", ERR_TOO_FAST, headers={"Retry-After": str(wait)})

    async def _read_request(self, request: web.Request) -> tuple[dict | None, web.Response | None]:
        if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
            return None, _error(413, "too_long", ERR_TOO_LONG)
        raw = b""
        while len(raw) <= MAX_BODY_BYTES:  # read() may return one chunk at a time
            chunk = await request.content.read(MAX_BODY_BYTES + 1 - len(raw))
            if not chunk:
                break
            raw += chunk
        try:
            body = read_json(raw, MAX_BODY_BYTES)  # size, UTF-8, JSON, depth
        except Rejected as refused:
            if refused.status == 413:
                return None, _error(413, "too_long", ERR_TOO_LONG)
            return None, _error(400, "bad_request", ERR_BAD_REQUEST)
        if not isinstance(body, dict):
            return None, _error(400, "bad_request", ERR_BAD_REQUEST)
        screen, session = body.get("screen"), body.get("session")
        if not (isinstance(screen, str) and _ID_RE.fullmatch(screen)
                and isinstance(session, str) and _ID_RE.fullmatch(session)):
            return None, _error(400, "bad_request", ERR_BAD_REQUEST)
        body["sender"] = sender_id("kiosk", f"{screen}.{session}")
        too_fast = await self._too_fast(request)
        if too_fast is not None:
            return None, too_fast
        return body, None

    async def _current_procedure(self, sender: str) -> str | None:
        """The procedure under discussion (the tracker's slot), for the print button."""
        code = await self.rasa.slot(sender, "procedure_code")
        return code if isinstance(code, str) and PROCEDURE_CODE_RE.fullmatch(code) else None

    async def message(self, request: web.Request) -> web.Response:
        body, problem = await self._read_request(request)
        if problem is not None:
            return problem
        message = body.get("message")
        if not isinstance(message, str):
            return _error(400, "bad_request", ERR_BAD_REQUEST)
        message = clean_text(message).strip()  # no NUL or lone surrogate reaches the assistant
        if not message:
            return _error(400, "empty_message", ERR_EMPTY)
        if len(message) > MAX_MESSAGE_CHARS:
            return _error(400, "too_long", ERR_TOO_LONG)
        try:
            replies = await self.rasa.send(body["sender"], message, {"client_ip": request.remote or ""})
        except RasaUnavailable as exc:
            logger.warning("kiosk: the assistant at %s did not answer: %s", self.rasa.url, exc)
            return _error(503, "assistant_unavailable", ERR_ASSISTANT_DOWN)
        messages = [bubble(reply) for reply in replies] or [bubble(Reply(NO_REPLY))]
        code = await self._current_procedure(body["sender"])
        return web.json_response({"messages": messages, "procedure_code": code})

    async def reset(self, request: web.Request) -> web.Response:
        body, problem = await self._read_request(request)
        if problem is not None:
            return problem
        ok = True
        try:  # first, so a message still being answered is finished and stored
            await self.rasa.send(body["sender"], "/restart")
        except RasaUnavailable as exc:
            logger.warning("kiosk: could not restart %s: %s", body["sender"], exc)
            ok = False
        try:
            await asyncio.to_thread(ConversationStore(self.services.engine).forget, body["sender"])
        except SQLAlchemyError as exc:
            logger.error("kiosk: could not delete conversation %s: %s", body["sender"], exc)
            ok = False
        return web.json_response({"ok": ok})


def add_kiosk_routes(app: web.Application, services, topics_file: Path = TOPICS_FILE) -> None:
    handlers = KioskHandlers(services, load_topics(topics_file))

    async def close_rasa(app: web.Application) -> None:
        await handlers.rasa.close()

    app.on_cleanup.append(close_rasa)
    app.router.add_get("/kiosk", handlers.redirect_to_page)
    app.router.add_get("/kiosk/", handlers.page)
    app.router.add_static("/kiosk/static/", STATIC_DIR, follow_symlinks=False)
    app.router.add_get("/kiosk/api/topics", handlers.topics_view)
    app.router.add_get("/kiosk/api/suggest", handlers.suggest)
    app.router.add_get("/kiosk/api/checklist/{code}", handlers.checklist_view)
    app.router.add_post("/kiosk/api/message", handlers.message)
    app.router.add_post("/kiosk/api/reset", handlers.reset)
