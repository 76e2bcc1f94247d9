"""Who is asking: the console's cookie session, idle expiry, CSRF tokens, role checks.

The session lives in one cookie, encrypted and signed with Fernet
(aiohttp-session's EncryptedCookieStorage): HttpOnly, SameSite=Strict, path
/staff/, Secure when STAFF_COOKIE_SECURE is set. It holds the account id, the
account's session version (a password change or a disabled account ends every
older session), when it was last used, and the CSRF token. Nothing else, and
never a password.

The key comes from STAFF_COOKIE_SECRET; when that is empty, the console makes
one and keeps it in the database (table `app_secrets`), so restarts and every
`bot web` process accept the same cookies. Changing the secret logs everyone out.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import secrets
from typing import TYPE_CHECKING, Awaitable, Callable

from aiohttp import web
from aiohttp_session import get_session, new_session
from aiohttp_session.cookie_storage import EncryptedCookieStorage
from cryptography.fernet import Fernet

from bot.core.accounts import Account

if TYPE_CHECKING:  # pragma: no cover
    from bot.app import Services

COOKIE_NAME = "tthc_staff"
SECRET_NAME = "staff-cookie"
CSRF_FIELD = "csrf"
ACCOUNT_KEY = "staff_account"
EXPIRED_KEY = "staff_session_expired"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def cookie_key(secret: str) -> bytes:
    """A Fernet key from any secret text (SHA-256, so any length of secret works)."""
    return base64.urlsafe_b64encode(hashlib.sha256(("tthc-staff-cookie:" + secret).encode("utf-8")).digest())


def cookie_storage(services: "Services") -> EncryptedCookieStorage:
    settings = services.settings
    secret = settings.staff_cookie_secret or services.secrets.get_or_create(SECRET_NAME)
    return EncryptedCookieStorage(
        Fernet(cookie_key(secret)), cookie_name=COOKIE_NAME, path="/staff/", httponly=True, samesite="Strict",
        secure=settings.staff_cookie_secure, max_age=settings.staff_idle_minutes * 60,
    )


def csrf_token(session) -> str:
    token = session.get(CSRF_FIELD)
    if not isinstance(token, str) or len(token) < 20:
        token = secrets.token_urlsafe(32)
        session[CSRF_FIELD] = token
    return token


def csrf_ok(session, given: object) -> bool:
    token = session.get(CSRF_FIELD)
    return (isinstance(token, str) and isinstance(given, str) and bool(given)
            and hmac.compare_digest(token.encode("utf-8"), given.encode("utf-8", "replace")))


async def current_account(request: web.Request, services: "Services") -> Account | None:
    """The logged-in account, or None (a session idle too long, of a disabled account, or from before a
    password change is emptied). A live session is marked as used now."""
    session = await get_session(request)
    account_id, version, seen = session.get("uid"), session.get("ver"), session.get("seen")
    if not isinstance(account_id, int):
        return None
    now = int(services.clock().timestamp())
    idle = services.settings.staff_idle_minutes * 60
    account = None
    if isinstance(seen, int) and 0 <= now - seen <= idle:
        account = await _account(services, account_id)
    if account is None or account.disabled or account.session_version != version:
        request[EXPIRED_KEY] = True
        session.clear()
        return None
    session["seen"] = now
    return account


async def _account(services: "Services", account_id: int) -> Account | None:
    return await asyncio.to_thread(services.accounts.by_id, account_id)


async def start_session(request: web.Request, services: "Services", account: Account) -> None:
    """A fresh session for `account` (a new cookie and CSRF token: nothing from before the login carries over)."""
    session = await new_session(request)
    session["uid"] = account.id
    session["ver"] = account.session_version
    session["seen"] = int(services.clock().timestamp())
    csrf_token(session)


def account_of(request: web.Request) -> Account:
    """The account of a request that passed the login check."""
    return request[ACCOUNT_KEY]


def require(permission: str) -> Callable[[Handler], Handler]:
    """A handler decorator: 403 (a page saying so) unless the account's role has `permission`."""

    def wrap(handler: Handler) -> Handler:
        async def checked(*args) -> web.StreamResponse:  # (request) or (self, request)
            if not account_of(args[-1]).may(permission):
                raise web.HTTPForbidden()
            return await handler(*args)

        checked.__name__ = handler.__name__
        return checked

    return wrap
