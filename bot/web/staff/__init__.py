"""The staff console: server-rendered pages under /staff/ of `bot web`, in Vietnamese.

`add_staff_routes(app, services)` (in `bot.web.app.ROUTE_REGISTRARS`) adds the
pages and one middleware that, for /staff paths only:

1. answers every error with a short Vietnamese HTML page (never JSON, never a
   trace; an unexpected exception is logged and shown as a 500 page);
2. opens the cookie session (`bot.web.staff.auth`);
3. sends a request without a live session to the login page, and refuses a
   POST without the session's CSRF token (403);
4. adds security headers: no framing, scripts and styles from this server only,
   nothing cached.

The console is not an aiohttp sub-application: with the pinned aiohttp 3.9.5
and yarl, resolving a sub-application reads `request.url`, which fails for a
Host header with a port.

Pages: login and logout, the home page, password change (`pages.py`);
accounts and the audit log for admins (`pages.py`); procedures (`procedures.py`); editing curated
records, spreadsheets, exports and the staleness board (`catalog.py`); dossiers (`dossiers.py`);
feedback (`feedback.py`); the trainers' inbox (`nlu.py`); the model's evaluation reports and retraining
(`nlu_eval.py`); the usage dashboard (`report.py`).
Templates are in `templates/`, the one stylesheet in `static/`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import aiohttp_jinja2
import jinja2
from aiohttp import web
from aiohttp_session import get_session, session_middleware

from bot.core.clock import format_day, format_day_time
from bot.web.staff.auth import ACCOUNT_KEY, CSRF_FIELD, EXPIRED_KEY, cookie_storage, csrf_ok, csrf_token, \
    current_account

if TYPE_CHECKING:  # pragma: no cover
    from bot.app import Services

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
TEMPLATES = web.AppKey("staff_templates", jinja2.Environment)
PREFIX = "/staff/"
PUBLIC_PATHS = frozenset({"/staff/login"})

ERROR_TEXTS = {
    400: ("Yêu cầu không hợp lệ", "Trang nhận được dữ liệu không đúng. Bạn quay lại và thử lại nhé."),
    403: ("Không được phép", "Tài khoản của bạn không có quyền làm việc này."),
    404: ("Không tìm thấy trang", "Địa chỉ này không có trong trang quản lý."),
    405: ("Không làm được như vậy", "Trang này không nhận yêu cầu kiểu này."),
    413: ("Dữ liệu quá lớn", "Nội dung gửi lên quá lớn."),
    500: ("Có lỗi ở máy chủ", "Việc vừa làm chưa xong. Bạn thử lại sau ít phút; nếu vẫn lỗi, báo quản trị viên."),
}
CSRF_TEXT = ("Phiên làm việc đã thay đổi",
             "Biểu mẫu này đã cũ hoặc không gửi từ trang quản lý. Bạn mở lại trang rồi làm lại nhé. Chưa lưu gì.")
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
                               "form-action 'self'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def is_console_path(path: str) -> bool:
    return path.startswith(PREFIX)


def render(request: web.Request, template: str, context: dict | None = None, status: int = 200) -> web.Response:
    """A page, with what every page needs: the account, the CSRF token, the services' clock."""
    page = dict(context or {})
    page.setdefault("account", request.get(ACCOUNT_KEY))
    page.setdefault("csrf", request.get(CSRF_FIELD, ""))
    return aiohttp_jinja2.render_template(template, request, page, app_key=TEMPLATES, status=status)


def error_page(request: web.Request, status: int, title: str | None = None, text: str | None = None) -> web.Response:
    default_title, default_text = ERROR_TEXTS.get(status, ERROR_TEXTS[400] if status < 500 else ERROR_TEXTS[500])
    return render(request, "error.html", {"title": title or default_title, "text": text or default_text,
                                          "status": status}, status=status)


def _login_redirect(request: web.Request) -> web.HTTPFound:
    target = request.path_qs if request.method == "GET" and request.path != PREFIX else ""
    query = f"?next={quote(target, safe='')}" if target else ""
    if request.get(EXPIRED_KEY):
        query += ("&" if query else "?") + "expired=1"
    return web.HTTPSeeOther(f"{PREFIX}login{query}")


def build_middleware(services: "Services"):
    sessions = session_middleware(cookie_storage(services))

    async def guarded(request: web.Request, handler) -> web.StreamResponse:
        session = await get_session(request)
        request[CSRF_FIELD] = csrf_token(session)
        account = await current_account(request, services)
        request[ACCOUNT_KEY] = account
        if request.path.startswith(PREFIX + "static/"):
            return await handler(request)
        if request.method not in ("GET", "HEAD"):
            try:
                form = await request.post()
            except (UnicodeDecodeError, ValueError):  # not UTF-8, or a broken multipart body
                raise web.HTTPBadRequest() from None
            if not csrf_ok(session, form.get(CSRF_FIELD)):
                return error_page(request, 403, *CSRF_TEXT)
        if account is None and request.path not in PUBLIC_PATHS:
            raise _login_redirect(request)
        return await handler(request)

    @web.middleware
    async def staff_middleware(request: web.Request, handler) -> web.StreamResponse:
        if not is_console_path(request.path):
            return await handler(request)
        try:
            response = await sessions(request, lambda r: guarded(r, handler))
        except web.HTTPException as exc:
            if exc.status < 400:
                exc.headers.update(SECURITY_HEADERS)
                raise
            response = error_page(request, exc.status)
        except Exception:  # noqa: BLE001 - staff get a page, the log gets the trace
            logger.exception("staff console: unhandled error on %s %s", request.method, request.path)
            response = error_page(request, 500)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    return staff_middleware


def add_staff_routes(app: web.Application, services: "Services") -> None:
    from bot.web.staff import catalog, dossiers, feedback, nlu, nlu_eval, pages, procedures, report

    env = aiohttp_jinja2.setup(app, app_key=TEMPLATES, loader=jinja2.FileSystemLoader(HERE / "templates"),
                               autoescape=True, undefined=jinja2.StrictUndefined, default_helpers=False)
    env.filters["day"] = lambda v: format_day(v) if v else ""
    env.filters["day_time"] = lambda v: format_day_time(v) if v else ""
    app.middlewares.append(build_middleware(services))
    app.router.add_get("/staff", _to_console)
    app.router.add_static(PREFIX + "static/", HERE / "static", follow_symlinks=False)
    pages.add_routes(app, services)
    procedures.add_routes(app, services)
    catalog.add_routes(app, services)
    dossiers.add_routes(app, services)
    feedback.add_routes(app, services)
    nlu.add_routes(app, services)
    nlu_eval.add_routes(app, services)
    report.add_routes(app, services)


async def _to_console(request: web.Request) -> web.StreamResponse:
    raise web.HTTPFound(PREFIX)
