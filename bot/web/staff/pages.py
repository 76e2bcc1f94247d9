"""Console pages: login and logout, home, password change, accounts (admin), audit log (admin)."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import math
from typing import TYPE_CHECKING

from aiohttp import web
from aiohttp_session import get_session

from bot.core.accounts import ROLE_LABELS, ROLES, AccountError
from bot.core.audit import AuditFilter, csv_rows
from bot.core.clock import to_local
from bot.core.ratelimit import RateLimit
from bot.db.account_store import DISABLED, OK
from bot.web.staff import PREFIX, render
from bot.web.staff.auth import ACCOUNT_KEY, account_of, require, start_session

if TYPE_CHECKING:  # pragma: no cover
    from bot.app import Services

# One answer for a wrong password, an unknown name and a locked account: telling a lock apart would let
# anyone find which login names exist (five wrong tries, then see whether the page says "locked").
WRONG_LOGIN = ("Tên đăng nhập hoặc mật khẩu không đúng. Sau {failures} lần nhập sai liền, tài khoản bị tạm khóa "
               "{minutes} phút. Khi đó bạn chờ rồi đăng nhập lại.")
DISABLED_LOGIN = "Tài khoản này đã bị khóa. Bạn liên hệ quản trị viên."
IP_BLOCKED = "Máy này đã đăng nhập sai nhiều lần. Bạn thử lại sau {minutes} phút."
EXPIRED = "Phiên làm việc đã hết hạn hoặc đã kết thúc. Bạn đăng nhập lại nhé."
AUDIT_PAGE_SIZE = 200
MAX_FIELD_CHARS = 500


def _text(form, name: str) -> str:
    value = form.get(name, "")
    return value[:MAX_FIELD_CHARS] if isinstance(value, str) else ""


def _safe_next(target: str) -> str:
    """Only a page of the console: never another site (`//host`) or another path."""
    if target.startswith(PREFIX) and not target.startswith("//") and "\\" not in target and "login" not in target:
        return target
    return PREFIX


def _minutes_until(until: dt.datetime, now: dt.datetime) -> int:
    return max(1, math.ceil((until - now).total_seconds() / 60))


class Pages:
    def __init__(self, services: "Services"):
        self.services = services
        s = services.settings
        self.ip_limit = RateLimit(s.staff_login_failures_per_ip, dt.timedelta(minutes=s.staff_lockout_minutes))

    async def _run(self, fn, *args, **kwargs):
        return await asyncio.to_thread(fn, *args, **kwargs)

    # --- login and logout ------------------------------------------------------------

    async def login_form(self, request: web.Request) -> web.Response:
        if request.get(ACCOUNT_KEY) is not None:
            raise web.HTTPSeeOther(_safe_next(request.query.get("next", "")))
        notice = EXPIRED if request.query.get("expired") else None
        return render(request, "login.html", {"error": None, "notice": notice, "name": "",
                                              "next": _safe_next(request.query.get("next", ""))})

    async def login(self, request: web.Request) -> web.Response:
        form = await request.post()
        name, password, target = _text(form, "name").strip(), form.get("password", ""), _text(form, "next")
        password = password if isinstance(password, str) else ""
        ip_key = f"staff-login-ip:{request.remote or '-'}"
        now = self.services.clock()
        error = None
        blocked = await self._run(self.services.request_limits.blocked_until, ip_key, self.ip_limit)
        if blocked is not None:
            error = IP_BLOCKED.format(minutes=_minutes_until(blocked, now))
        else:
            result = await self._run(self.services.accounts.login, name, password)
            if result.outcome == OK:
                await start_session(request, self.services, result.account)
                raise web.HTTPSeeOther(_safe_next(target))
            s = self.services.settings
            error = DISABLED_LOGIN if result.outcome == DISABLED else WRONG_LOGIN.format(
                failures=s.staff_login_failures_per_account, minutes=s.staff_lockout_minutes)  # WRONG or LOCKED
            await self._run(self.services.request_limits.hit, ip_key, self.ip_limit)
        return render(request, "login.html", {"error": error, "notice": None, "name": name[:40],
                                              "next": _safe_next(target)}, status=200)

    async def logout(self, request: web.Request) -> web.Response:
        (await get_session(request)).invalidate()
        raise web.HTTPSeeOther(PREFIX + "login")

    # --- home and password ---------------------------------------------------------------

    async def home(self, request: web.Request) -> web.Response:
        return render(request, "home.html")

    async def password_form(self, request: web.Request) -> web.Response:
        return render(request, "password.html", {"error": None, "done": False})

    async def change_password(self, request: web.Request) -> web.Response:
        account = account_of(request)
        form = await request.post()
        current, new, again = (form.get(k, "") for k in ("current", "new", "again"))
        if not all(isinstance(v, str) for v in (current, new, again)):
            raise web.HTTPBadRequest()
        if new != again:
            return render(request, "password.html", {"error": "Hai lần nhập mật khẩu mới không giống nhau.",
                                                     "done": False})
        try:
            changed = await self._run(self.services.accounts.set_password, account.name, new, actor=account.name,
                                      current_password=current)
        except AccountError as exc:
            return render(request, "password.html", {"error": str(exc), "done": False})
        await start_session(request, self.services, changed)  # this session goes on; every other one ends
        return render(request, "password.html", {"error": None, "done": True, "account": changed})

    # --- accounts (admin) ----------------------------------------------------------------

    async def _accounts_page(self, request: web.Request, error: str | None = None, done: str | None = None,
                             form: dict | None = None) -> web.Response:
        return render(request, "accounts.html", {
            "accounts": await self._run(self.services.accounts.all), "now": self.services.clock(), "roles": ROLES,
            "role_labels": ROLE_LABELS, "error": error, "done": done,
            "form": form or {"name": "", "full_name": "", "role": "staff"},
        })

    @require("manage_accounts")
    async def accounts(self, request: web.Request) -> web.Response:
        return await self._accounts_page(request)

    @require("manage_accounts")
    async def add_account(self, request: web.Request) -> web.Response:
        form = await request.post()
        fields = {k: _text(form, k) for k in ("name", "full_name", "role")}
        password, again = form.get("password", ""), form.get("again", "")
        if not isinstance(password, str) or password != again:
            return await self._accounts_page(request, "Hai lần nhập mật khẩu không giống nhau.", None, fields)
        try:
            added = await self._run(self.services.accounts.add, fields["name"], fields["role"], password,
                                    actor=account_of(request).name, full_name=fields["full_name"])
        except AccountError as exc:
            return await self._accounts_page(request, str(exc), None, fields)
        return await self._accounts_page(request, None, f"Đã thêm tài khoản {added.name}.")

    @require("manage_accounts")
    async def set_disabled(self, request: web.Request) -> web.Response:
        form = await request.post()
        name = request.match_info["name"]
        disabled = request.match_info["action"] == "disable"
        if disabled and name == account_of(request).name:
            return await self._accounts_page(request, "Bạn không thể tự khóa tài khoản của mình.")
        try:
            changed = await self._run(self.services.accounts.set_disabled, name, disabled,
                                      actor=account_of(request).name, reason=_text(form, "reason").strip() or None)
        except AccountError as exc:
            return await self._accounts_page(request, str(exc))
        verb = "đã bị khóa" if disabled else "đã được mở lại"
        return await self._accounts_page(request, None, f"Tài khoản {changed.name} {verb}.")

    # --- audit log (admin) -----------------------------------------------------------------

    def _filter(self, request: web.Request) -> tuple[AuditFilter, str | None]:
        q = request.query
        days: dict[str, dt.date | None] = {}
        for key in ("since", "until"):
            raw = q.get(key, "").strip()
            try:
                days[key] = dt.date.fromisoformat(raw) if raw else None
            except ValueError:
                return AuditFilter(), f"Ngày '{raw[:20]}' không đúng dạng năm-tháng-ngày."
        if days["since"] and days["until"] and days["since"] > days["until"]:
            return AuditFilter(), "Ngày bắt đầu sau ngày kết thúc."
        return AuditFilter(actor=q.get("actor", "").strip()[:100] or None, **days), None

    @require("read_audit")
    async def audit(self, request: web.Request) -> web.Response:
        where, error = self._filter(request)

        entries = [] if error else await self._run(self.services.audit.entries, where, limit=AUDIT_PAGE_SIZE)
        return render(request, "audit.html", {
            "entries": entries, "actors": await self._run(self.services.audit.actors), "where": where,
            "error": error, "limit": AUDIT_PAGE_SIZE, "query": request.query_string,
        }, status=400 if error else 200)

    @require("read_audit")
    async def audit_csv(self, request: web.Request) -> web.Response:
        where, error = self._filter(request)
        if error:
            raise web.HTTPBadRequest()
        entries = await self._run(self.services.audit.entries, where, limit=5000)
        out = io.StringIO()
        csv.writer(out).writerows(csv_rows(entries))
        day = to_local(self.services.clock()).strftime("%Y%m%d")
        return web.Response(body=("\ufeff" + out.getvalue()).encode("utf-8"),  # the BOM tells Excel it is UTF-8
                            content_type="text/csv", charset="utf-8",
                            headers={"Content-Disposition": f'attachment; filename="nhat-ky-{day}.csv"'})


def add_routes(app: web.Application, services: "Services") -> None:
    pages = Pages(services)
    r = app.router
    r.add_get(PREFIX, pages.home)
    r.add_get(PREFIX + "login", pages.login_form)
    r.add_post(PREFIX + "login", pages.login)
    r.add_post(PREFIX + "logout", pages.logout)
    r.add_get(PREFIX + "password", pages.password_form)
    r.add_post(PREFIX + "password", pages.change_password)
    r.add_get(PREFIX + "accounts", pages.accounts)
    r.add_post(PREFIX + "accounts", pages.add_account)
    r.add_post(PREFIX + "accounts/{name}/{action:disable|enable}", pages.set_disabled)
    r.add_get(PREFIX + "audit", pages.audit)
    r.add_get(PREFIX + "audit.csv", pages.audit_csv)
