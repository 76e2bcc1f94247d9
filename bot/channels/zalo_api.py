"""Zalo's HTTP APIs: the OA customer-service message API and OAuth token renewal.

An OA access token lasts about 25 hours; a refresh token lasts about three
months and works only once. With an app id, the app's secret key and a
refresh token configured (ZALO_APP_ID, ZALO_APP_SECRET, ZALO_REFRESH_TOKEN),
`ZaloTokens` renews the access token shortly before it expires, or at once
when Zalo rejects it, and keeps the new pair in the database (table
`channel_tokens`) so the Rasa server and the notification worker share one
chain. Without them, the fixed ZALO_ACCESS_TOKEN is used as it is.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from typing import Callable, Sequence

import aiohttp

from bot.core.clock import now_utc

logger = logging.getLogger(__name__)

CHANNEL = "zalo"
SEND_PATH = "/v3.0/oa/message/cs"
OAUTH_BASE = "https://oauth.zaloapp.com"
TOKEN_PATH = "/v4/oa/access_token"
RENEW_BEFORE = dt.timedelta(minutes=30)  # renew this long before the access token expires
# Zalo's answers for an access token that is invalid or expired.
TOKEN_REJECTED = {-216, -124}


class ZaloAPIError(Exception):
    """A failed call; `transient` when trying again later may help (HTTP 5xx, network)."""

    def __init__(self, code: int | str, message: str, transient: bool = False):
        super().__init__(f"Zalo API error {code}: {message}")
        self.code = code
        self.message = message
        self.transient = transient

    @property
    def token_rejected(self) -> bool:
        try:
            return int(self.code) in TOKEN_REJECTED
        except (TypeError, ValueError):
            return False


async def _post_json(url: str, timeout: float, **kwargs) -> tuple[int, str]:
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session:
            async with session.post(url, **kwargs) as resp:
                return resp.status, await resp.text()
    except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
        raise ZaloAPIError("network", f"{type(exc).__name__}: {exc}", transient=True) from exc


def _parse(status: int, text: str) -> dict:
    if status >= 500:
        raise ZaloAPIError(f"http-{status}", text[:300], transient=True)
    try:
        data = json.loads(text) if text else {}
    except ValueError:
        data = None
    if status >= 400 or not isinstance(data, dict):
        raise ZaloAPIError(f"http-{status}", text[:300])
    return data


class ZaloTokens:
    """The access token to send with; renews itself when a refresh chain is configured.

    `store` is a zero-argument callable returning a TokenStore (opened on first
    use, so nothing touches the database at import or construction time);
    `clock` gives the current time, aware.
    """

    def __init__(self, access_token: str = "", *, app_id: str = "", app_secret: str = "",
                 refresh_token: str = "", store: Callable[[], object] | None = None,
                 oauth_base: str = OAUTH_BASE, timeout: float = 15.0,
                 clock: Callable[[], dt.datetime] = now_utc):
        self.app_id = app_id
        self.app_secret = app_secret
        self.configured_refresh = refresh_token
        self.url = oauth_base.rstrip("/") + TOKEN_PATH
        self.timeout = timeout
        self._clock = clock
        self._store_factory = store
        self._store = None
        self._access = access_token
        self._refresh = refresh_token
        self._expires_at: dt.datetime | None = None
        self._loaded = False
        self._lock = asyncio.Lock()

    @property
    def renewable(self) -> bool:
        return bool(self.app_id and self.app_secret and self.configured_refresh)

    async def current(self) -> str:
        """A token to send with ("" when none is configured)."""
        if not self.renewable:
            return self._access
        async with self._lock:
            await self._load()
            if not self._access or self._expiring():
                await self._renew()
            return self._access

    async def rejected(self, token: str) -> bool:
        """Zalo refused `token`: renew unless another process already did. True when a new token exists."""
        if not self.renewable:
            return False
        async with self._lock:
            await self._load(again=True)
            if self._access and self._access != token and not self._expiring():
                return True
            await self._renew()
            return self._access != token

    def _expiring(self) -> bool:
        return self._expires_at is not None and self._clock() >= self._expires_at - RENEW_BEFORE

    def _token_store(self):
        if self._store is None and self._store_factory is not None:
            self._store = self._store_factory()
        return self._store

    async def _load(self, again: bool = False) -> None:
        if self._loaded and not again:
            return
        self._loaded = True
        store = self._token_store()
        if store is None:
            return
        try:
            stored = await asyncio.to_thread(store.get, CHANNEL)
        except Exception:  # noqa: BLE001 - e.g. migrations not run: keep the tokens from the settings
            logger.exception("Zalo: could not read the stored tokens; using the configured ones")
            return
        if stored is not None:
            self._access, self._refresh, self._expires_at = (
                stored.access_token, stored.refresh_token, stored.expires_at)

    async def _renew(self) -> None:
        before = self._access
        candidates = [self._refresh]
        if self.configured_refresh and self.configured_refresh != self._refresh:
            candidates.append(self.configured_refresh)  # staff authorised the OA again
        error: ZaloAPIError | None = None
        for refresh in candidates:
            try:
                await self._exchange(refresh)
                return
            except ZaloAPIError as exc:
                logger.error("Zalo: could not renew the access token: %s", exc)
                error = exc
        await self._load(again=True)  # another process may have renewed with the same refresh token
        if self._access and self._access != before and not self._expiring():
            return
        raise error or ZaloAPIError("token", "no refresh token")

    async def _exchange(self, refresh: str) -> None:
        status, text = await _post_json(
            self.url, self.timeout, headers={"secret_key": self.app_secret},
            data={"app_id": self.app_id, "grant_type": "refresh_token", "refresh_token": refresh})
        data = _parse(status, text)
        if not data.get("access_token") or not data.get("refresh_token"):
            raise ZaloAPIError(data.get("error", "token"),
                               str(data.get("error_description") or data.get("message") or "no token in answer"))
        try:
            lifetime = dt.timedelta(seconds=int(data.get("expires_in")))
        except (TypeError, ValueError):
            lifetime = None
        self._access, self._refresh = str(data["access_token"]), str(data["refresh_token"])
        self._expires_at = self._clock() + lifetime if lifetime else None
        logger.info("Zalo: access token renewed, valid until %s", self._expires_at or "unknown")
        store = self._token_store()
        if store is not None:
            from bot.db.token_store import ChannelTokens

            # The old refresh token is spent now: losing the new pair would stop the channel.
            await asyncio.to_thread(store.save, CHANNEL,
                                    ChannelTokens(self._access, self._refresh, self._expires_at))


class ZaloClient:
    """POSTs message bodies to {api_base}/v3.0/oa/message/cs; one retry for transient errors."""

    def __init__(self, tokens: str | ZaloTokens, api_base: str = "https://openapi.zalo.me",
                 retry_delay: float = 1.0, timeout: float = 15.0):
        self.tokens = tokens if isinstance(tokens, ZaloTokens) else ZaloTokens(tokens)
        self.url = api_base.rstrip("/") + SEND_PATH
        self.retry_delay = retry_delay
        self.timeout = timeout

    async def send(self, body: dict) -> dict:
        try:
            return await self._post(body)
        except ZaloAPIError as exc:
            if not exc.transient:
                raise
            logger.warning("Zalo send failed (%s), retrying once in %.1f s", exc, self.retry_delay)
        await asyncio.sleep(self.retry_delay)
        return await self._post(body)

    async def send_all(self, bodies: Sequence[dict]) -> None:
        for body in bodies:
            await self.send(body)

    async def _post(self, body: dict, renew: bool = True) -> dict:
        token = await self.tokens.current()
        if not token:
            raise ZaloAPIError("no-token", "ZALO_ACCESS_TOKEN is not set")
        status, text = await _post_json(self.url, self.timeout, json=body, headers={"access_token": token})
        data = _parse(status, text)
        error = data.get("error", 0)
        if error not in (0, "0", None):
            exc = ZaloAPIError(error, str(data.get("message", "")))
            if renew and exc.token_rejected and await self.tokens.rejected(token):
                logger.warning("Zalo rejected the access token (%s); sending again with the renewed one", error)
                return await self._post(body, renew=False)
            logger.error("Zalo API error %s: %s", error, data.get("message", ""))
            raise exc
        return data
